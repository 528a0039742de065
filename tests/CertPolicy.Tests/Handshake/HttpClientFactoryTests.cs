using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace CertPolicy.Tests.Handshake;

/// <summary><c>UseCertPolicy</c> on <c>IHttpClientFactory</c> clients, against HTTPS servers on 127.0.0.1.</summary>
public sealed class HttpClientFactoryTests : IDisposable
{
    private static readonly Lazy<X509Certificate2> ExpiredIP = new(() =>
        TestPki.CreateLeaf(HandshakePki.Root, [], [IPAddress.Loopback], commonName: "127.0.0.1", notAfter: HandshakePki.ExpiredOn));

    private readonly HttpClientFactoryKit _kit = new();

    public void Dispose() => _kit.Dispose();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CertPolicy_judges_whatever_the_order_of_UseCertPolicy_and_ConfigurePrimaryHttpMessageHandler(bool useCertPolicyFirst)
    {
        await using var good = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http);
        await using var bad = LoopbackTlsServer.Start(ExpiredIP.Value, application: LoopbackApplication.Http);
        IHttpClientBuilder builder = _kit.Services.AddHttpClient("ems", client => client.Timeout = TimeSpan.FromSeconds(10));
        if (useCertPolicyFirst)
        {
            builder.UseCertPolicy(HttpClientFactoryKit.Profile);
        }

        // A user's own handler, replacing the factory's default one.
        builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) });
        if (!useCertPolicyFirst)
        {
            builder.UseCertPolicy(HttpClientFactoryKit.Profile);
        }

        await using ServiceProvider provider = _kit.Services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("ems");

        string body = await client.GetStringAsync(new Uri($"https://127.0.0.1:{good.Port}/"), TestContext.Current.CancellationToken);
        CertificateRejectedException rejected = await HttpClientFactoryKit.RefusedAsync(client, new Uri($"https://127.0.0.1:{bad.Port}/"));

        Assert.Equal(LoopbackTlsServer.HttpBody, body);
        Assert.Equal(DecisionReason.DeniedByPolicy, rejected.Decision.Reason);
        Assert.Equal(ServerIdentity.Create("127.0.0.1", bad.Port), rejected.Decision.Report.Identity);
        Assert.Equal(2, provider.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy(HttpClientFactoryKit.Profile).CachedDecisionCount);
    }

    [Fact]
    public async Task A_primary_handler_CertPolicy_cannot_set_up_fails_the_clients_creation()
    {
        _kit.Services.AddHttpClient("custom").UseCertPolicy(HttpClientFactoryKit.Profile).ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler());
        await using ServiceProvider provider = _kit.Services.BuildServiceProvider();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("custom"));

        Assert.Contains("'custom'", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(HttpClientHandler).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_primary_handler_with_someone_elses_certificate_callback_fails_the_clients_creation()
    {
        await using var bad = LoopbackTlsServer.Start(ExpiredIP.Value, application: LoopbackApplication.Http);
        _kit.Services.AddHttpClient("permissive").UseCertPolicy(HttpClientFactoryKit.Profile).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        await using ServiceProvider provider = _kit.Services.BuildServiceProvider();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("permissive"));

        Assert.Contains("certificate validation callback", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bad.Connections);
    }

    [Fact]
    public async Task A_misspelt_profile_name_fails_when_the_host_starts_and_lists_the_known_profiles()
    {
        _kit.Services.AddHttpClient("ems").UseCertPolicy("Managment");
        await using ServiceProvider provider = _kit.Services.BuildServiceProvider();

        // What the generic host runs when it starts, for everything registered with ValidateOnStart.
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("'Managment'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Known profiles: Management", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_known_profile_name_passes_the_start_check()
    {
        _kit.Services.AddHttpClient("ems").UseCertPolicy("management");
        await using ServiceProvider provider = _kit.Services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.NotNull(provider.GetRequiredService<IHttpClientFactory>().CreateClient("ems"));
    }

    [Fact]
    public async Task The_standard_resilience_handler_makes_one_attempt_on_a_refusal()
    {
        await using var bad = LoopbackTlsServer.Start(ExpiredIP.Value, application: LoopbackApplication.Http);
        var attempts = new AttemptCounter();
        _kit.Services.AddHttpClient("ems")
            .UseCertPolicy(HttpClientFactoryKit.Profile)
            .AddStandardResilienceHandler(options =>
            {
                options.Retry.Delay = TimeSpan.FromMilliseconds(1);
                options.Retry.UseJitter = false;
                options.Retry.ShouldHandle = args => ValueTask.FromResult(
                    !CertificateRejectedException.IsRefusal(args.Outcome.Exception) && HttpClientResiliencePredicates.IsTransient(args.Outcome));
            });
        // Inside the resilience handler: sees every attempt.
        _kit.Services.AddHttpClient("ems").AddHttpMessageHandler(() => new CountingHandler(attempts));
        await using ServiceProvider provider = _kit.Services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("ems");

        CertificateRejectedException rejected = await HttpClientFactoryKit.RefusedAsync(client, new Uri($"https://127.0.0.1:{bad.Port}/"));
        int refusalAttempts = attempts.Reset();

        Assert.Equal(DecisionReason.DeniedByPolicy, rejected.Decision.Reason);
        Assert.Equal(1, refusalAttempts);
        Assert.Equal(1, bad.Connections);
    }

    [Fact]
    public async Task The_standard_resilience_handler_still_retries_a_connection_refused_by_a_closed_port()
    {
        const int MaxRetryAttempts = 2;
        int closedPort = ClosedLoopbackPort();
        var connects = new AttemptCounter();

        // The resilience pipeline waits (retry delays, timeouts) on the TimeProvider of the services: the kit's fake
        // clock would never let a retry start. No certificate is judged here, so the system clock changes nothing else.
        _kit.Services.AddSingleton(TimeProvider.System);
        _kit.Services.AddHttpClient("ems")
            .UseCertPolicy(HttpClientFactoryKit.Profile)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Counts every connection the handler tries to open, then connects as the default handler would.
                ConnectCallback = async (context, cancellationToken) =>
                {
                    connects.Add();
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            })
            .AddStandardResilienceHandler(options =>
            {
                // Bounded: the defaults (exponential back-off from 2 s, 30 s in all) would make this test slow.
                options.Retry.MaxRetryAttempts = MaxRetryAttempts;
                options.Retry.BackoffType = DelayBackoffType.Constant;
                options.Retry.Delay = TimeSpan.FromMilliseconds(1);
                options.Retry.UseJitter = false;
                options.Retry.ShouldHandle = args => ValueTask.FromResult(
                    !CertificateRejectedException.IsRefusal(args.Outcome.Exception) && HttpClientResiliencePredicates.IsTransient(args.Outcome));
                options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(5);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(20);
            });
        await using ServiceProvider provider = _kit.Services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("ems");

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(60));

        HttpRequestException failure = await Assert.ThrowsAsync<HttpRequestException>(
            () => client.GetStringAsync(new Uri($"https://127.0.0.1:{closedPort}/"), bound.Token));

        Assert.False(CertificateRejectedException.IsRefusal(failure));
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(failure.InnerException).SocketErrorCode);
        Assert.Equal(1 + MaxRetryAttempts, connects.Reset());
    }

    /// <summary>A loopback port nothing listens on: bound to find a free one, then closed.</summary>
    private static int ClosedLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [Fact]
    public void Find_looks_through_inner_exceptions_and_answers_null_for_other_failures()
    {
        Assert.Null(CertificateRejectedException.Find(null));
        Assert.Null(CertificateRejectedException.Find(new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.False(CertificateRejectedException.IsRefusal(new InvalidOperationException("x", new TimeoutException())));
    }

    private sealed class AttemptCounter
    {
        private int _count;

        public void Add() => Interlocked.Increment(ref _count);

        public int Reset() => Interlocked.Exchange(ref _count, 0);
    }

    private sealed class CountingHandler(AttemptCounter counter) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counter.Add();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
