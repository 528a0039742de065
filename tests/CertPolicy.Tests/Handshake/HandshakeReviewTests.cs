using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// Cases where the handshake path could trust what the full decision would refuse: found in a security review of
/// <see cref="HandshakePolicy"/> and its cache.
/// </summary>
public sealed class HandshakeReviewTests
{
    private static ServerIdentity Server { get; } = ServerIdentity.Create(HandshakePki.Host, 8443);

    [Fact]
    public void A_cached_decision_ends_when_a_supplied_revocation_list_expires()
    {
        var time = new FakeTimeProvider(TestPki.Now);
        byte[] crl = TestPki.CreateCrl(HandshakePki.Root, thisUpdate: TestPki.Now.AddDays(-1), nextUpdate: TestPki.Now.AddHours(1));
        var options = new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([HandshakePki.Root]) };
        options.RevocationLists.Add(crl);
        var engine = new CertificateDecisionEngine(
            new CertificateValidator(options, time),
            new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Deny });
        var policy = new HandshakePolicy(engine);

        Assert.True(HandshakeFastPathTests.Handshake(policy, Server, HandshakePki.Valid));

        time.Advance(TimeSpan.FromHours(2));

        CertificateDecision full = engine.DecideWithoutPrompt(engine.Validator.Validate(TestPki.Der(HandshakePki.Valid), Server));
        Assert.False(full.ShouldConnect);
        Assert.False(HandshakePolicy_Handshake(policy));
    }

    [Fact]
    public void A_cached_decision_ends_when_a_supplied_revocation_list_comes_into_effect()
    {
        var time = new FakeTimeProvider(TestPki.Now);
        byte[] current = TestPki.CreateCrl(HandshakePki.Root, thisUpdate: TestPki.Now.AddDays(-1), nextUpdate: TestPki.Now.AddDays(10));
        byte[] revokingLater = TestPki.CreateCrl(HandshakePki.Root, [HandshakePki.Valid], thisUpdate: TestPki.Now.AddHours(1), nextUpdate: TestPki.Now.AddDays(10));
        var options = new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([HandshakePki.Root]) };
        options.RevocationLists.Add(current);
        options.RevocationLists.Add(revokingLater);
        var engine = new CertificateDecisionEngine(
            new CertificateValidator(options, time),
            new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Deny });
        var policy = new HandshakePolicy(engine);

        Assert.True(HandshakeFastPathTests.Handshake(policy, Server, HandshakePki.Valid));

        time.Advance(TimeSpan.FromHours(2));

        CertificateDecision full = engine.DecideWithoutPrompt(engine.Validator.Validate(TestPki.Der(HandshakePki.Valid), Server));
        Assert.Equal(CertificateProblemKinds.Revoked, full.Report.Verdict.Kinds & CertificateProblemKinds.Revoked);
        Assert.False(HandshakePolicy_Handshake(policy));
    }

    [Fact]
    public void A_decision_taken_with_a_replaced_engine_is_not_answered_for_the_new_engine()
    {
        // The profile is reloaded (Warn with an approval becomes Deny) while a handshake is being decided with the
        // old engine: that handshake's decision must not answer later handshakes judged by the new engine.
        var time = new FakeTimeProvider(TestPki.Now);
        var trust = TrustStore.FromCertificates([HandshakePki.Root]);
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = trust }, time);
        var approvals = new ReloadingApprovalStore();
        var warn = new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Warn, Approvals = approvals });
        var deny = new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Deny, Approvals = approvals });
        CertificateDecisionEngine current = warn;
        var policy = new HandshakePolicy(() => current);
        approvals.Approve(new CertificateApproval(
            Server, CertificateFingerprint.Parse(HandshakePki.Expired.GetCertHashString(HashAlgorithmName.SHA256)), CertificateProblemKinds.Expired, TestPki.Now));

        // While the old engine looks the approval up, the profile is reloaded and another handshake starts with the new engine.
        approvals.DuringNextFind = () =>
        {
            current = deny;
            Assert.False(HandshakeFastPathTests.Handshake(policy, Server, HandshakePki.WrongName));
        };

        Assert.True(HandshakeFastPathTests.Handshake(policy, Server, HandshakePki.Expired));

        CertificateDecision full = deny.DecideWithoutPrompt(validator.Validate(TestPki.Der(HandshakePki.Expired), Server));
        Assert.Equal(DecisionReason.DeniedByPolicy, full.Reason);
        Assert.False(HandshakeFastPathTests.Handshake(policy, Server, HandshakePki.Expired));
    }

    [Fact]
    public void A_decision_in_flight_when_the_cache_is_cleared_is_not_answered_afterwards()
    {
        var approvals = new ReloadingApprovalStore();
        using var agent = new Agent(InvalidCertificateAction.Warn, approvals: approvals);
        approvals.Approve(new CertificateApproval(
            Server, CertificateFingerprint.Parse(HandshakePki.Expired.GetCertHashString(HashAlgorithmName.SHA256)), CertificateProblemKinds.Expired, TestPki.Now));

        // ClearCache is called (after a change the policy cannot see) while a handshake is being decided.
        approvals.DuringNextFind = agent.Policy.ClearCache;
        Assert.True(HandshakeFastPathTests.Handshake(agent.Policy, Server, HandshakePki.Expired));
        Assert.Equal(1, agent.FullDecisions);

        Assert.True(HandshakeFastPathTests.Handshake(agent.Policy, Server, HandshakePki.Expired));
        Assert.Equal(2, agent.FullDecisions);
    }

    [Fact]
    public async Task AuthenticateAsClientAsync_leaves_no_callback_in_the_options_that_accepts_another_connection()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var options = new SslClientAuthenticationOptions { EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13 };
        await using SslStream tls = await ConnectWithCallerOptionsAsync(agent, server.Port, options);

        // The caller's options object is reused (or shared with a concurrent call) for another stream: no callback
        // is left in it to let that stream's handshake through unjudged (the policy works on a copy).
        Assert.Null(options.RemoteCertificateValidationCallback);
    }

    [Fact]
    public async Task A_reused_options_object_sends_each_server_its_own_name_and_is_left_unchanged()
    {
        // Two servers on loopback with different names; the agent reuses one options object for both, as a caller
        // that sets protocols once would.
        const string NameA = "a.ems.example.test";
        const string NameB = "b.ems.example.test";
        using X509Certificate2 leafA = TestPki.CreateLeaf(HandshakePki.Root, [NameA]);
        using X509Certificate2 leafB = TestPki.CreateLeaf(HandshakePki.Root, [NameB]);
        await using var serverA = LoopbackTlsServer.Start(leafA);
        await using var serverB = LoopbackTlsServer.Start(leafB);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var options = new SslClientAuthenticationOptions { EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13 };
        using var limit = TlsClient.Limit();

        foreach ((LoopbackTlsServer server, string name) in new[] { (serverA, NameA), (serverB, NameB), (serverA, NameA) })
        {
            var tcp = new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetwork);
            await tcp.ConnectAsync(System.Net.IPAddress.Loopback, server.Port, limit.Token);
            var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
            CertificateDecision decision = await agent.Policy.AuthenticateAsClientAsync(tls, ServerIdentity.Create(name, server.Port), options, limit.Token);
            Assert.Equal(DecisionReason.Valid, decision.Reason);

            // Closing ends the server's side of the connection, after it has recorded the name it was asked for.
            await tls.DisposeAsync();
            Assert.True((await server.NextConnectionAsync()).HandshakeCompleted);
        }

        Assert.Equal([NameA, NameA], serverA.ServerNames);
        Assert.Equal([NameB], serverB.ServerNames);
        Assert.Null(options.TargetHost);
        Assert.Null(options.RemoteCertificateValidationCallback);
        Assert.Null(options.CertificateChainPolicy);
        Assert.Equal(X509RevocationMode.NoCheck, options.CertificateRevocationCheckMode);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, options.EnabledSslProtocols);
    }

    [Fact]
    public void Client_options_are_built_on_a_copy_of_every_setting_and_the_template_is_left_unchanged()
    {
        using var agent = new Agent(InvalidCertificateAction.Deny);
        RemoteCertificateValidationCallback callerCallback = (_, _, _, _) => true;
        var template = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http2],
            AllowRenegotiation = false,
            AllowTlsResume = false,
            RemoteCertificateValidationCallback = callerCallback,
            CertificateRevocationCheckMode = X509RevocationMode.Online,
        };

        SslClientAuthenticationOptions built = agent.Policy.CreateClientOptions(ServerIdentity.Create(HandshakePki.Host, 8443), template);

        Assert.NotSame(template, built);
        Assert.Equal(HandshakePki.Host, built.TargetHost);
        Assert.NotSame(callerCallback, built.RemoteCertificateValidationCallback);
        Assert.Equal(X509RevocationMode.NoCheck, built.CertificateRevocationCheckMode);
        Assert.Equal(template.EnabledSslProtocols, built.EnabledSslProtocols);
        Assert.Equal(template.ApplicationProtocols, built.ApplicationProtocols);
        Assert.NotSame(template.ApplicationProtocols, built.ApplicationProtocols);
        Assert.False(built.AllowRenegotiation);
        Assert.False(built.AllowTlsResume);

        // The template is as the caller left it.
        Assert.Null(template.TargetHost);
        Assert.Same(callerCallback, template.RemoteCertificateValidationCallback);
        Assert.Equal(X509RevocationMode.Online, template.CertificateRevocationCheckMode);
        Assert.Null(template.CertificateChainPolicy);

        // A handler's options object (perhaps shared by several handlers) is replaced by a copy, not changed.
        var shared = new SslClientAuthenticationOptions { EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13 };
        using var handler = new System.Net.Http.SocketsHttpHandler { SslOptions = shared };
        agent.Policy.Configure(handler, ServerIdentity.Create(HandshakePki.Host, 8443));
        Assert.NotSame(shared, handler.SslOptions);
        Assert.NotNull(handler.SslOptions.RemoteCertificateValidationCallback);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, handler.SslOptions.EnabledSslProtocols);
        Assert.Null(shared.RemoteCertificateValidationCallback);
        Assert.Null(shared.CertificateChainPolicy);

        // Every setting the platform has is copied: a setting added in a later .NET must be added to the copy too.
        foreach (System.Reflection.PropertyInfo property in typeof(SslClientAuthenticationOptions).GetProperties())
        {
            if (property.CanWrite && property.Name is not (nameof(SslClientAuthenticationOptions.TargetHost) or nameof(SslClientAuthenticationOptions.RemoteCertificateValidationCallback)
                or nameof(SslClientAuthenticationOptions.CertificateChainPolicy) or nameof(SslClientAuthenticationOptions.CertificateRevocationCheckMode)
                or nameof(SslClientAuthenticationOptions.ApplicationProtocols) or nameof(SslClientAuthenticationOptions.ClientCertificates)))
            {
                Assert.Equal(property.GetValue(template), property.GetValue(built));
            }
        }
    }

    [Fact]
    public async Task AuthenticateAsClientAsync_accepts_no_other_certificate_on_the_same_stream_after_deciding()
    {
        // A TLS 1.2 server may renegotiate after the decision and present another certificate; the callback set for
        // the handshake runs again, and must not let a certificate the decision never saw through.
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        // The policy sets its callback on its own copy of the caller's options; the test looks at that copy.
        SslClientAuthenticationOptions? options = null;
        agent.Policy.ClientOptionsCreated = copy => options = copy;
        await using SslStream tls = await ConnectWithCallerOptionsAsync(
            agent, server.Port, new SslClientAuthenticationOptions { EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13 });

        using var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.Add(HandshakePki.UntrustedRoot);
        Assert.NotNull(options);
        Assert.NotNull(options.RemoteCertificateValidationCallback);
        Assert.False(options.RemoteCertificateValidationCallback(tls, HandshakePki.UntrustedRoot, chain, SslPolicyErrors.None));
        using var same = new X509Chain();
        same.ChainPolicy.ExtraStore.Add(HandshakePki.Valid);
        Assert.True(options.RemoteCertificateValidationCallback(tls, HandshakePki.Valid, same, SslPolicyErrors.None));
    }

    [Fact]
    public Task The_validation_callback_options_fetch_nothing_for_a_missing_issuer() => FetchesNothingForAMissingIssuerAsync(HttpEntryPoint.None);

    // Every HTTP entry point keeps the platform's chain build offline: no issuer is fetched from the leaf's AIA URL.
    [Theory]
    [InlineData(HttpEntryPoint.CreateHttpHandler)]
    [InlineData(HttpEntryPoint.ConfigureForOneServer)]
    [InlineData(HttpEntryPoint.UseCertPolicy)]
    public Task The_http_client_handler_fetches_nothing_for_a_missing_issuer(HttpEntryPoint entryPoint) => FetchesNothingForAMissingIssuerAsync(entryPoint);

    public enum HttpEntryPoint
    {
        None,
        CreateHttpHandler,
        ConfigureForOneServer,
        UseCertPolicy,
    }

    private static async Task FetchesNothingForAMissingIssuerAsync(HttpEntryPoint entryPoint)
    {
        // A leaf whose issuer the server does not send, with an authority information access URL on loopback: a
        // platform chain build allowed to download would fetch the issuer from there.
        using var fetches = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        fetches.Start();
        int fetchPort = ((System.Net.IPEndPoint)fetches.LocalEndpoint).Port;
        X509Certificate2 intermediate = TestPki.CreateIntermediate(HandshakePki.Root, "Review Intermediate (not sent)");
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec() with
        {
            Subject = "CN=127.0.0.1",
            IPAddresses = [System.Net.IPAddress.Loopback],
            Extensions = [new X509AuthorityInformationAccessExtension(null, [$"http://127.0.0.1:{fetchPort}/issuer.cer"])],
        });
        await using var server = LoopbackTlsServer.Start(leaf, application: entryPoint == HttpEntryPoint.None ? LoopbackApplication.Echo : LoopbackApplication.Http);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var identity = ServerIdentity.Create("127.0.0.1", server.Port);
        var uri = new Uri($"https://127.0.0.1:{server.Port}/");

        switch (entryPoint)
        {
            case HttpEntryPoint.None:
                Assert.False((await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port)).Connected);
                Assert.Equal("denied_by_policy", agent.LastReason);
                break;
            case HttpEntryPoint.CreateHttpHandler:
                using (var client = new HttpClient(agent.Policy.CreateHttpHandler()) { Timeout = TimeSpan.FromSeconds(30) })
                {
                    Assert.Equal(DecisionReason.DeniedByPolicy, (await HttpClientFactoryKit.RefusedAsync(client, uri)).Decision.Reason);
                }

                break;
            case HttpEntryPoint.ConfigureForOneServer:
                var handler = new SocketsHttpHandler();
                agent.Policy.Configure(handler, identity);
                using (var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) })
                {
                    Assert.Equal(DecisionReason.DeniedByPolicy, (await HttpClientFactoryKit.RefusedAsync(client, uri)).Decision.Reason);
                }

                break;
            default:
                using (var kit = new HttpClientFactoryKit())
                {
                    kit.Services.AddHttpClient("agent", client => client.Timeout = TimeSpan.FromSeconds(30)).UseCertPolicy(HttpClientFactoryKit.Profile);
                    await using ServiceProvider provider = kit.Services.BuildServiceProvider();
                    HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("agent");
                    Assert.Equal(DecisionReason.DeniedByPolicy, (await HttpClientFactoryKit.RefusedAsync(client, uri)).Decision.Reason);
                }

                break;
        }

        Assert.False(fetches.Pending());
    }

    private static bool HandshakePolicy_Handshake(HandshakePolicy policy) => HandshakeFastPathTests.Handshake(policy, Server, HandshakePki.Valid);

    /// <summary>An approval store that can run code while a lookup is in progress (as a slow store lets other threads run).</summary>
    private sealed class ReloadingApprovalStore : ApprovalStore
    {
        private readonly InMemoryApprovalStore _inner = new();

        public Action? DuringNextFind { get; set; }

        public void Approve(CertificateApproval approval) => _inner.SaveAsync(approval).AsTask().GetAwaiter().GetResult();

        public override CertificateApproval? Find(ServerIdentity server, CertificateFingerprint certificateSha256)
        {
            Action? during = DuringNextFind;
            DuringNextFind = null;
            during?.Invoke();
            return _inner.Find(server, certificateSha256);
        }

        public override IReadOnlyList<CertificateApproval> FindForServer(ServerIdentity server)
        {
            Action? during = DuringNextFind;
            DuringNextFind = null;
            during?.Invoke();
            return _inner.FindForServer(server);
        }

        public override IReadOnlyList<CertificateApproval> List() => _inner.List();

        public override ValueTask SaveAsync(CertificateApproval approval, CancellationToken cancellationToken = default) => _inner.SaveAsync(approval, cancellationToken);

        public override ValueTask<bool> ForgetAsync(ServerIdentity server, CertificateFingerprint certificateSha256, CancellationToken cancellationToken = default) => _inner.ForgetAsync(server, certificateSha256, cancellationToken);

        public override ValueTask<int> ForgetAllAsync(ServerIdentity server, CancellationToken cancellationToken = default) => _inner.ForgetAllAsync(server, cancellationToken);
    }

    /// <summary>
    /// Connects to the loopback server with <see cref="HandshakePolicy.AuthenticateAsClientAsync"/> and the caller's
    /// <paramref name="options"/>, asserts that the policy connected, and returns the open stream.
    /// </summary>
    private static async Task<SslStream> ConnectWithCallerOptionsAsync(Agent agent, int port, SslClientAuthenticationOptions options)
    {
        using var limit = TlsClient.Limit();
        var tcp = new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetwork);
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, port, limit.Token);

        // The stream owns the socket: disposing it closes the connection.
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        CertificateDecision decision = await agent.Policy.AuthenticateAsClientAsync(tls, ServerIdentity.Create(HandshakePki.Host, port), options, limit.Token);
        Assert.True(decision.ShouldConnect);
        return tls;
    }
}
