using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// Whole handshakes over TLS 1.3 on 127.0.0.1, a real SslStream on each side, through <see cref="HandshakePolicy"/>:
/// the synchronous validation callback and <see cref="HandshakePolicy.AuthenticateAsClientAsync"/>.
/// </summary>
public sealed class HandshakeEndToEndTests
{
    public static TheoryData<InvalidCertificateAction> Actions => [InvalidCertificateAction.Allow, InvalidCertificateAction.Warn, InvalidCertificateAction.Deny];

    public static TheoryData<string> BrokenKinds => ["expired", "not-yet-valid", "wrong-name", "untrusted-root"];

    private static ServerIdentity Identity(LoopbackTlsServer server) => ServerIdentity.Create(HandshakePki.Host, server.Port);

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task A_valid_certificate_connects_under_every_action_without_asking(InvalidCertificateAction action)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid);
        using var agent = new Agent(action);

        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.True(viaCallback.Connected);
        Assert.Equal(TlsClient.Message, viaCallback.Echo);
        Assert.True(viaAsync.Connected);
        Assert.Equal(TlsClient.Message, viaAsync.Echo);
        Assert.Equal(DecisionReason.Valid, viaAsync.Decision!.Reason);
        Assert.Equal(0, agent.Prompt.Calls);
        Assert.Empty(agent.Approvals.List());
    }

    [Theory]
    [MemberData(nameof(BrokenKinds))]
    public async Task Allow_connects_to_a_broken_certificate_both_ways_without_asking(string kind)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Of(kind));
        using var agent = new Agent(InvalidCertificateAction.Allow);

        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.Equal(TlsClient.Message, viaCallback.Echo);
        Assert.Equal(TlsClient.Message, viaAsync.Echo);
        Assert.Equal(DecisionReason.AllowedByPolicy, viaAsync.Decision!.Reason);
        Assert.Equal(HandshakePki.ProblemOf(kind), viaAsync.Decision.Report.Verdict.Kinds & HandshakePki.ProblemOf(kind));
        Assert.Equal(0, agent.Prompt.Calls);
    }

    [Theory]
    [MemberData(nameof(BrokenKinds))]
    public async Task Deny_refuses_a_broken_certificate_both_ways_without_asking_and_before_any_data(string kind)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Of(kind));
        using var agent = new Agent(InvalidCertificateAction.Deny);

        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);
        ServedConnection first = await server.NextConnectionAsync();
        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        ServedConnection second = await server.NextConnectionAsync();

        Assert.False(viaCallback.Connected);
        AssertNothingExchanged(first);
        Assert.False(viaAsync.Connected);
        Assert.Equal(DecisionReason.DeniedByPolicy, viaAsync.Decision!.Reason);
        Assert.True(viaAsync.Decision.Report.Verdict.Kinds.HasFlag(HandshakePki.ProblemOf(kind)));
        AssertNoApplicationData(second);
        Assert.Equal(0, agent.Prompt.Calls);
        Assert.Equal("denied_by_policy", agent.LastReason);
    }

    [Theory]
    [MemberData(nameof(BrokenKinds))]
    public async Task Warn_asks_and_an_allow_connects_and_is_remembered(string kind)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Of(kind));
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.Equal(TlsClient.Message, result.Echo);
        Assert.Equal(DecisionReason.ApprovedByUser, result.Decision!.Reason);
        CertificatePromptRequest question = Assert.Single(agent.Prompt.Requests);
        Assert.Equal(Identity(server), question.Server);
        Assert.True(question.ProblemKinds.HasFlag(HandshakePki.ProblemOf(kind)));
        CertificateApproval approval = Assert.Single(agent.Approvals.List());
        Assert.Equal(Identity(server), approval.Server);
        Assert.Equal(Sha256(HandshakePki.Of(kind)), approval.Fingerprint.ToString());
        Assert.Equal(result.Decision.Report.Verdict.Kinds, approval.AcceptedProblems);
    }

    [Theory]
    [MemberData(nameof(BrokenKinds))]
    public async Task Warn_asks_and_a_deny_refuses_before_any_data_and_remembers_nothing(string kind)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Of(kind));
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Deny));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(result.Connected);
        Assert.Equal(DecisionReason.DeniedByUser, result.Decision!.Reason);
        Assert.Equal(1, agent.Prompt.Calls);
        Assert.Empty(agent.Approvals.List());
        AssertNoApplicationData(await server.NextConnectionAsync());
    }

    [Theory]
    [MemberData(nameof(BrokenKinds))]
    public async Task Warn_through_the_synchronous_callback_refuses_without_asking_since_it_cannot_wait(string kind)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Of(kind));
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow));

        ClientResult result = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(result.Connected);
        AssertNothingExchanged(await server.NextConnectionAsync());
        Assert.Equal("needs_user_answer", agent.LastReason);
        Assert.Equal(0, agent.Prompt.Calls);
        Assert.Equal(0, agent.Policy.CachedDecisionCount);
    }

    [Fact]
    public async Task After_an_approval_the_next_connections_are_silent_both_ways()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow));
        Assert.True((await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port)).Connected);

        ClientResult again = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);

        Assert.Equal(DecisionReason.RememberedApproval, again.Decision!.Reason);
        Assert.Equal(TlsClient.Message, again.Echo);
        Assert.Equal(TlsClient.Message, viaCallback.Echo);
        Assert.Equal("remembered_approval", agent.LastReason);
        Assert.Equal(1, agent.Prompt.Calls);
    }

    [Fact]
    public async Task After_a_denial_the_next_connection_asks_again()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Expired);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Deny, PromptAnswer.Allow));
        Assert.False((await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port)).Connected);

        ClientResult again = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.Equal(2, agent.Prompt.Calls);
        Assert.Equal(DecisionReason.ApprovedByUser, again.Decision!.Reason);
        Assert.Equal(TlsClient.Message, again.Echo);
    }

    [Fact]
    public async Task A_new_certificate_on_an_approved_server_asks_again()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow, PromptAnswer.Deny));
        Assert.True((await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port)).Connected);
        Assert.True((await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port)).Connected);

        server.Present(HandshakePki.UntrustedRootReissued);
        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(viaCallback.Connected);
        Assert.False(viaAsync.Connected);
        Assert.Equal(2, agent.Prompt.Calls);
        Assert.Equal(Sha256(HandshakePki.UntrustedRootReissued), agent.Prompt.Requests[1].Certificate.Sha256Fingerprint);
        Assert.Equal(DecisionReason.DeniedByUser, viaAsync.Decision!.Reason);
    }

    [Fact]
    public async Task The_same_certificate_on_another_port_or_under_another_name_asks_again()
    {
        X509Certificate2 shared = TestPki.CreateLeaf(HandshakePki.OtherRoot, [HandshakePki.Host, "backup.example.test"]);
        await using var first = LoopbackTlsServer.Start(shared);
        await using var second = LoopbackTlsServer.Start(shared);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow, PromptAnswer.Allow, PromptAnswer.Allow));
        Assert.True((await TlsClient.ConnectAsync(agent.Policy, Identity(first), first.Port)).Connected);

        ClientResult otherPort = await TlsClient.ConnectAsync(agent.Policy, Identity(second), second.Port);
        ClientResult otherName = await TlsClient.ConnectAsync(agent.Policy, ServerIdentity.Create("backup.example.test", first.Port), first.Port);
        ClientResult firstAgain = await TlsClient.ConnectAsync(agent.Policy, Identity(first), first.Port);

        Assert.Equal(DecisionReason.ApprovedByUser, otherPort.Decision!.Reason);
        Assert.Equal(DecisionReason.ApprovedByUser, otherName.Decision!.Reason);
        Assert.Equal(DecisionReason.RememberedApproval, firstAgain.Decision!.Reason);
        Assert.Equal(
            [Identity(first), Identity(second), ServerIdentity.Create("backup.example.test", first.Port)],
            agent.Prompt.Requests.Select(r => r.Server));
    }

    [Theory]
    [InlineData(InvalidCertificateAction.Allow, true, DecisionReason.AllowedByPolicy)]
    [InlineData(InvalidCertificateAction.Deny, false, DecisionReason.DeniedByPolicy)]
    [InlineData(InvalidCertificateAction.Warn, true, DecisionReason.ApprovedByUser)]
    public async Task A_vendor_default_certificate_is_invalid_so_the_action_applies(InvalidCertificateAction action, bool connects, DecisionReason reason)
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.VendorDefault);
        using var agent = new Agent(action, new ScriptedPrompt(PromptAnswer.Allow));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.Equal(connects, result.Connected);
        Assert.Equal(reason, result.Decision!.Reason);
        Assert.True(result.Decision.Report.Verdict.Kinds.HasFlag(CertificateProblemKinds.UntrustedRoot));
        Assert.True(result.Decision.Report.Verdict.Kinds.HasFlag(CertificateProblemKinds.NameMismatch));
        Assert.Equal(action == InvalidCertificateAction.Warn ? 1 : 0, agent.Prompt.Calls);
    }

    [Fact]
    public async Task The_legacy_upgrade_trap_a_legacy_agent_refuses_the_real_certificate_a_modern_agent_takes()
    {
        // The server starts with the vendor default, whose subject legacy agents were built to expect.
        await using var server = LoopbackTlsServer.Start(HandshakePki.VendorDefault);
        using var legacy = new Agent(InvalidCertificateAction.Deny, mode: ValidationMode.Legacy, expectedSubject: "EMS Default Certificate");
        using var modern = new Agent(InvalidCertificateAction.Deny);
        Assert.True((await TlsClient.ConnectWithCallbackAsync(legacy.Policy, Identity(server), server.Port)).Connected);
        Assert.False((await TlsClient.ConnectWithCallbackAsync(modern.Policy, Identity(server), server.Port)).Connected);

        // The administrator switches to a real certificate: another subject.
        server.Present(HandshakePki.Valid);
        ClientResult legacyAfter = await TlsClient.ConnectAsync(legacy.Policy, Identity(server), server.Port);
        ClientResult legacyCallback = await TlsClient.ConnectWithCallbackAsync(legacy.Policy, Identity(server), server.Port);
        ClientResult modernAfter = await TlsClient.ConnectAsync(modern.Policy, Identity(server), server.Port);

        Assert.False(legacyAfter.Connected);
        Assert.False(legacyCallback.Connected);
        Assert.Equal(DecisionReason.DeniedByPolicy, legacyAfter.Decision!.Reason);
        Assert.Equal(CertificateProblemKinds.SubjectMismatch, legacyAfter.Decision.Report.Verdict.Kinds);
        Assert.True(legacyAfter.Decision.Report.Modern.IsValid);
        Assert.Equal(DecisionReason.Valid, modernAfter.Decision!.Reason);
        Assert.Equal(TlsClient.Message, modernAfter.Echo);
    }

    [Fact]
    public async Task Connecting_by_IP_address_matches_an_IP_in_the_subject_alternative_name()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.LoopbackIP);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var identity = ServerIdentity.Create("127.0.0.1", server.Port);

        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port);
        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, identity, server.Port);

        Assert.Equal(TlsClient.Message, viaCallback.Echo);
        Assert.Equal(DecisionReason.Valid, viaAsync.Decision!.Reason);
    }

    [Fact]
    public async Task Connecting_by_IP_address_does_not_match_an_IP_only_in_the_common_name()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.LoopbackIPInCommonNameOnly);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var identity = ServerIdentity.Create(IPAddress.Loopback.ToString(), server.Port);

        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port);
        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, identity, server.Port);

        Assert.False(viaCallback.Connected);
        Assert.Equal(DecisionReason.DeniedByPolicy, viaAsync.Decision!.Reason);
        Assert.Equal(CertificateProblemKinds.NameMismatch, viaAsync.Decision.Report.Verdict.Kinds);
    }

    [Fact]
    public async Task A_handshake_cancelled_while_the_user_is_asked_closes_the_stream_and_remembers_nothing()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Expired);
        var prompt = Decisions.TestPrompt.Gated();
        using var agent = new Agent(InvalidCertificateAction.Warn);
        var engine = new CertificateDecisionEngine(
            agent.Engine.Validator,
            new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Warn, Approvals = agent.Approvals, Prompt = prompt });
        var policy = new HandshakePolicy(engine);
        using var tcp = new System.Net.Sockets.TcpClient(System.Net.Sockets.AddressFamily.InterNetwork);
        using var limit = TlsClient.Limit();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port, limit.Token);
        var tls = new System.Net.Security.SslStream(tcp.GetStream());
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(limit.Token);

        ValueTask<CertificateDecision> pending = policy.AuthenticateAsClientAsync(tls, Identity(server), null, cancel.Token);
        await prompt.Asked.WaitAsync(limit.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        Assert.False(tls.CanRead);
        Assert.Empty(agent.Approvals.List());
        AssertNoApplicationData(await server.NextConnectionAsync());
    }

    /// <summary>A refusal after the handshake (the asynchronous path): the server saw the handshake complete, then nothing.</summary>
    private static void AssertNoApplicationData(ServedConnection connection)
    {
        Assert.True(connection.HandshakeCompleted, "The handshake should have completed before the decision.");
        AssertNothingExchanged(connection);
    }

    /// <summary>
    /// A refusal in the callback: depending on the platform's TLS stack the client validates before or after sending
    /// its Finished message, so the server may or may not see its side of the handshake complete; either way no
    /// application byte moves.
    /// </summary>
    private static void AssertNothingExchanged(ServedConnection connection)
    {
        Assert.Equal(0, connection.BytesReceived);
        Assert.Equal(0, connection.BytesSent);
        Assert.Contains(connection.EndedBy, new[] { "eof", "reset", "handshake failed" });
    }

    private static string Sha256(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);
}
