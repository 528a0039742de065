using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// <see cref="EndpointProfileOptions.MinimumTlsVersion"/> on every entry point of <see cref="HandshakePolicy"/>, against
/// real TLS 1.2-only and TLS 1.3 servers on 127.0.0.1.
/// </summary>
public sealed class MinimumTlsVersionTests
{
    private static readonly ServerIdentity Identity = ServerIdentity.Create(HandshakePki.Host, 443);

    [Fact]
    public async Task AuthenticateAsClientAsync_under_Tls13_refuses_a_Tls12_only_server_naming_the_floor()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid, protocols: SslProtocols.Tls12);
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = TlsVersionFloor.Tls13);
        using var limit = TlsClient.Limit();
        using TcpClient tcp = await ConnectTcpAsync(server.Port, limit.Token);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);

        TlsVersionRejectedException rejected = await Assert.ThrowsAsync<TlsVersionRejectedException>(
            async () => await agent.Policy.AuthenticateAsClientAsync(tls, Identity, cancellationToken: limit.Token));

        Assert.Equal(TlsVersionFloor.Tls13, rejected.MinimumTlsVersion);
        Assert.Null(rejected.NegotiatedProtocol);
        Assert.Equal(Identity, rejected.Server);
        Assert.Equal("agent", rejected.ProfileName);
        Assert.Contains("offered only TLS 1.3 (MinimumTlsVersion: Tls13)", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("supports only older TLS versions", rejected.Message, StringComparison.Ordinal);
        Assert.NotNull(rejected.InnerException);
        Assert.IsAssignableFrom<AuthenticationException>(rejected);
        Assert.False(tls.CanRead);
        Assert.False((await server.NextConnectionAsync()).HandshakeCompleted);
        Assert.Equal(0, agent.FullDecisions);
        Assert.Contains(agent.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4320);
    }

    [Fact]
    public async Task CreateClientOptions_under_Tls13_offers_only_Tls13_so_a_Tls12_only_server_fails_the_handshake()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid, protocols: SslProtocols.Tls12);
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = TlsVersionFloor.Tls13);
        using var limit = TlsClient.Limit();
        using TcpClient tcp = await ConnectTcpAsync(server.Port, limit.Token);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);

        SslClientAuthenticationOptions options = agent.Policy.CreateClientOptions(Identity);

        Assert.Equal(SslProtocols.Tls13, options.EnabledSslProtocols);
        await Assert.ThrowsAnyAsync<AuthenticationException>(() => tls.AuthenticateAsClientAsync(options, limit.Token));
        Assert.False((await server.NextConnectionAsync()).HandshakeCompleted);
        Assert.Equal(0, agent.FullDecisions);
    }

    [Theory]
    [InlineData(TlsVersionFloor.Platform, SslProtocols.None)]
    [InlineData(TlsVersionFloor.Tls12, SslProtocols.Tls12 | SslProtocols.Tls13)]
    [InlineData(TlsVersionFloor.Tls13, SslProtocols.Tls13)]
    public void CreateClientOptions_narrows_the_platforms_or_the_templates_protocols_to_the_floor(TlsVersionFloor floor, SslProtocols expected)
    {
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = floor);
        var template = new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls12 };

        Assert.Equal(expected, agent.Policy.CreateClientOptions(Identity).EnabledSslProtocols);
        if (floor != TlsVersionFloor.Tls13)
        {
            Assert.Equal(SslProtocols.Tls12, agent.Policy.CreateClientOptions(Identity, template).EnabledSslProtocols);
        }

        Assert.Equal(SslProtocols.Tls12, template.EnabledSslProtocols);
    }

    [Fact]
    public void A_template_that_enables_only_versions_below_the_floor_is_an_error_naming_both()
    {
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = TlsVersionFloor.Tls13);
        var template = new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls12 };

        ArgumentException error = Assert.Throws<ArgumentException>(() => agent.Policy.CreateClientOptions(Identity, template));

        Assert.Contains("enable only Tls12", error.Message, StringComparison.Ordinal);
        Assert.Contains("MinimumTlsVersion: Tls13", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TlsVersionFloor.Platform)]
    [InlineData(TlsVersionFloor.Tls12)]
    public async Task Platform_and_Tls12_floors_connect_to_a_Tls12_only_server(TlsVersionFloor floor)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid, protocols: SslProtocols.Tls12);
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = floor);

        (CertificateDecision decision, SslProtocols negotiated) = await ConnectAsync(agent.Policy, server.Port);

        Assert.Equal(DecisionReason.Valid, decision.Reason);
        Assert.Equal(SslProtocols.Tls12, negotiated);
        Assert.True((await server.NextConnectionAsync()).HandshakeCompleted);
    }

    [Fact]
    public async Task Tls13_floor_connects_to_a_Tls13_server_on_both_stream_entry_points()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid);
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = TlsVersionFloor.Tls13);

        (CertificateDecision decision, SslProtocols negotiated) = await ConnectAsync(agent.Policy, server.Port);
        ClientResult callback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity, server.Port);

        Assert.Equal(DecisionReason.Valid, decision.Reason);
        Assert.Equal(SslProtocols.Tls13, negotiated);
        Assert.True(callback.Connected);
        Assert.Equal(TlsClient.Message, callback.Echo);
    }

    [Fact]
    public async Task The_http_handler_under_Tls13_refuses_a_Tls12_only_server_before_any_request_byte_with_a_typed_inner_exception()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http, protocols: SslProtocols.Tls12);
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = TlsVersionFloor.Tls13);
        using var client = new HttpClient(agent.Policy.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        HttpRequestException failure = await Assert.ThrowsAsync<HttpRequestException>(
            () => client.GetStringAsync(new Uri($"https://127.0.0.1:{server.Port}/status"), TestContext.Current.CancellationToken));

        TlsVersionRejectedException rejected = Assert.IsType<TlsVersionRejectedException>(failure.InnerException);
        Assert.Same(rejected, TlsVersionRejectedException.Find(failure));
        Assert.Equal(SslProtocols.Tls12, rejected.NegotiatedProtocol);
        Assert.Equal(ServerIdentity.Create("127.0.0.1", server.Port), rejected.Server);
        Assert.Contains("negotiated TLS 1.2", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("requires TLS 1.3 (MinimumTlsVersion: Tls13)", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await server.NextConnectionAsync()).BytesReceived);
        Assert.Equal(0, agent.FullDecisions);
    }

    [Theory]
    [InlineData(TlsVersionFloor.Platform, SslProtocols.Tls12)]
    [InlineData(TlsVersionFloor.Tls12, SslProtocols.Tls12)]
    [InlineData(TlsVersionFloor.Tls13, SslProtocols.Tls13)]
    public async Task The_http_handler_connects_at_or_above_the_floor(TlsVersionFloor floor, SslProtocols serverProtocols)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http, protocols: serverProtocols);
        using var agent = new Agent(InvalidCertificateAction.Deny, configure: o => o.MinimumTlsVersion = floor);
        using var client = new HttpClient(agent.Policy.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        string body = await client.GetStringAsync(new Uri($"https://127.0.0.1:{server.Port}/status"), TestContext.Current.CancellationToken);

        Assert.Equal(LoopbackTlsServer.HttpBody, body);
        Assert.Equal("valid", agent.LastReason);
    }

    [Fact]
    public async Task A_profile_from_configuration_carries_the_floor_to_UseCertPolicy_clients()
    {
        await using var old = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http, protocols: SslProtocols.Tls12);
        await using var modern = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http);
        using var directory = new TempDirectory();
        string roots = directory.File("roots.pem");
        await File.WriteAllTextAsync(roots, TestPki.ToPem(HandshakePki.Root), TestContext.Current.CancellationToken);
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CertPolicy:Profiles:Management:TrustStore"] = roots,
            ["CertPolicy:Profiles:Management:ApprovalsFile"] = directory.File("approvals.json"),
            ["CertPolicy:Profiles:Management:MinimumTlsVersion"] = "Tls13",
        }).Build();
        IServiceCollection services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider(TestPki.Now));
        services.AddCertPolicy(configuration.GetSection("CertPolicy"));
        services.AddHttpClient("ems", client => client.Timeout = TimeSpan.FromSeconds(10)).UseCertPolicy("Management");
        await using ServiceProvider provider = services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("ems");

        string body = await client.GetStringAsync(new Uri($"https://127.0.0.1:{modern.Port}/"), TestContext.Current.CancellationToken);
        HttpRequestException failure = await Assert.ThrowsAsync<HttpRequestException>(
            () => client.GetStringAsync(new Uri($"https://127.0.0.1:{old.Port}/"), TestContext.Current.CancellationToken));

        Assert.Equal(LoopbackTlsServer.HttpBody, body);
        Assert.Equal(TlsVersionFloor.Tls13, provider.GetRequiredService<EndpointProfileProvider>().GetEngine("Management").MinimumTlsVersion);
        Assert.Equal(SslProtocols.Tls12, TlsVersionRejectedException.Find(failure)?.NegotiatedProtocol);
        Assert.False(CertificateRejectedException.IsRefusal(failure));
    }

    [Fact]
    public void An_undefined_floor_is_refused_by_the_engine_and_by_profile_validation()
    {
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([HandshakePki.Root]) });

        ArgumentException engine = Assert.Throws<ArgumentException>(() => new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions { MinimumTlsVersion = (TlsVersionFloor)7 }));
        IServiceCollection services = new ServiceCollection();
        services.AddCertPolicy(policy => policy.AddProfile("p", o => o.MinimumTlsVersion = (TlsVersionFloor)7));
        using ServiceProvider provider = services.BuildServiceProvider();
        Microsoft.Extensions.Options.OptionsValidationException profile = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => provider.GetRequiredService<EndpointProfileProvider>());

        Assert.Contains("MinimumTlsVersion", engine.Message, StringComparison.Ordinal);
        Assert.Contains("MinimumTlsVersion", profile.Message, StringComparison.Ordinal);
    }

    private static async Task<(CertificateDecision Decision, SslProtocols Negotiated)> ConnectAsync(HandshakePolicy policy, int port)
    {
        using var limit = TlsClient.Limit();
        using TcpClient tcp = await ConnectTcpAsync(port, limit.Token);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        CertificateDecision decision = await policy.AuthenticateAsClientAsync(tls, Identity, cancellationToken: limit.Token);
        return (decision, decision.ShouldConnect ? tls.SslProtocol : SslProtocols.None);
    }

    private static async Task<TcpClient> ConnectTcpAsync(int port, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return tcp;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }
}
