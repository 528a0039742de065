using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>HttpClient through <see cref="HandshakePolicy"/>'s handlers, against an HTTPS server on 127.0.0.1.</summary>
public sealed class HandshakeHttpTests : IDisposable
{
    private static readonly Lazy<X509Certificate2> ExpiredIP = new(() =>
        TestPki.CreateLeaf(HandshakePki.Root, [], [IPAddress.Loopback], commonName: "127.0.0.1", notAfter: HandshakePki.ExpiredOn));

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task The_http_handler_reads_a_valid_servers_answer()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        using var client = new HttpClient(agent.Policy.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        string body = await client.GetStringAsync(new Uri($"https://127.0.0.1:{server.Port}/status"), TestContext.Current.CancellationToken);

        Assert.Equal(LoopbackTlsServer.HttpBody, body);
        Assert.Equal("valid", agent.LastReason);
    }

    [Fact]
    public async Task The_http_handler_refuses_an_invalid_certificate_under_Deny()
    {
        await using var server = LoopbackTlsServer.Start(ExpiredIP.Value, application: LoopbackApplication.Http);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        using var client = new HttpClient(agent.Policy.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        HttpRequestException failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(new Uri($"https://127.0.0.1:{server.Port}/status"), TestContext.Current.CancellationToken));

        // The refusal is ours, with its decision: the reason, the server, and the certificate with its fingerprint.
        CertificateRejectedException rejected = Assert.IsType<CertificateRejectedException>(failure.InnerException);
        Assert.Same(rejected, CertificateRejectedException.Find(failure));
        Assert.Equal(DecisionReason.DeniedByPolicy, rejected.Decision.Reason);
        Assert.Equal(ServerIdentity.Create("127.0.0.1", server.Port), rejected.Decision.Report.Identity);
        Assert.Equal(Convert.ToHexString(ExpiredIP.Value.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)), rejected.Decision.Report.Certificate?.Sha256Fingerprint);
        Assert.NotEmpty(rejected.Decision.Report.Modern.Problems);
        Assert.Equal("denied_by_policy", agent.LastReason);
        ServedConnection connection = await server.NextConnectionAsync();
        Assert.Equal(0, connection.BytesReceived);
    }

    [Fact]
    public async Task The_http_handler_judges_each_request_by_its_host_and_port()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow));
        using var client = new HttpClient(agent.Policy.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };

        // The server's certificate names 127.0.0.1, not "localhost": under Warn, without a remembered approval, the
        // synchronous handler refuses (an HTTP request cannot wait for a person) and asks nobody.
        Assert.Equal(LoopbackTlsServer.HttpBody, await client.GetStringAsync(new Uri($"https://127.0.0.1:{server.Port}/"), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<HttpRequestException>(() => LocalhostAsync(agent, server.Port));

        Assert.Equal("needs_user_answer", agent.LastReason);
        Assert.Equal(0, agent.Prompt.Calls);
    }

    [Fact]
    public async Task A_sockets_handler_configured_for_one_server_reads_its_answer_and_refuses_a_broken_certificate()
    {
        await using var good = LoopbackTlsServer.Start(HandshakePki.Valid, application: LoopbackApplication.Http);
        await using var bad = LoopbackTlsServer.Start(HandshakePki.Expired, application: LoopbackApplication.Http);
        using var agent = new Agent(InvalidCertificateAction.Deny);

        string body = await GetThroughSocketsHandlerAsync(agent.Policy, good.Port);
        await Assert.ThrowsAsync<HttpRequestException>(() => GetThroughSocketsHandlerAsync(agent.Policy, bad.Port));

        Assert.Equal(LoopbackTlsServer.HttpBody, body);
        Assert.Equal("denied_by_policy", agent.LastReason);
    }

    [Fact]
    public async Task A_named_http_client_uses_the_profile_registered_with_UseCertPolicy()
    {
        string roots = _directory.File("roots.pem");
        await File.WriteAllTextAsync(roots, TestPki.ToPem(HandshakePki.Root), TestContext.Current.CancellationToken);
        await using var good = LoopbackTlsServer.Start(HandshakePki.LoopbackIP, application: LoopbackApplication.Http);
        await using var bad = LoopbackTlsServer.Start(ExpiredIP.Value, application: LoopbackApplication.Http);
        var services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider(TestPki.Now));
        services.AddCertPolicy(policy => policy.AddProfile("Management", options =>
        {
            options.InvalidCertificateAction = InvalidCertificateAction.Deny;
            options.TrustStore = roots;
            options.ApprovalsFile = _directory.File("approvals.json");
        }));
        services.AddHttpClient("ems", client => client.Timeout = TimeSpan.FromSeconds(10)).UseCertPolicy("Management");
        await using ServiceProvider provider = services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("ems");

        string body = await client.GetStringAsync(new Uri($"https://127.0.0.1:{good.Port}/"), TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(new Uri($"https://127.0.0.1:{bad.Port}/"), TestContext.Current.CancellationToken));

        Assert.Equal(LoopbackTlsServer.HttpBody, body);
        Assert.Equal(2, provider.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy("management").CachedDecisionCount);
    }

    /// <summary>
    /// A client of one server, as an agent's client of its management server: the handler is set up for
    /// ems.example.test on the server's port, and connects to 127.0.0.1 whatever the name resolves to.
    /// </summary>
    private static async Task<string> GetThroughSocketsHandlerAsync(HandshakePolicy policy, int port)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        policy.Configure(handler, ServerIdentity.Create(HandshakePki.Host, port));
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(new Uri($"https://{HandshakePki.Host}:{port}/"), TestContext.Current.CancellationToken);
    }

    /// <summary>The same server, asked for as "localhost" (a loopback name).</summary>
    private static async Task<string> LocalhostAsync(Agent agent, int port)
    {
        using var client = new HttpClient(agent.Policy.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(10) };
        return await client.GetStringAsync(new Uri($"https://localhost:{port}/"), TestContext.Current.CancellationToken);
    }
}
