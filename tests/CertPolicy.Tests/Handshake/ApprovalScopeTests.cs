using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// Approval scopes over real TLS 1.3 handshakes on 127.0.0.1, with approvals in a real file: a server renews its
/// certificate (same key, new key from the same issuer, another issuer, a forged issuer, a new problem) and the agent
/// connects silently or asks, as the profile's scope says; when it asks, the question says what changed. Every agent
/// names the server <c>ems.example.test:8443</c> whatever port the loopback server listens on, so that the servers of
/// one test are the same server to the agent.
/// </summary>
public sealed class ApprovalScopeTests : IDisposable
{
    private static readonly ServerIdentity Server = ServerIdentity.Create(HandshakePki.Host, 8443);

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(TestPki.Now);

    public static TheoryData<ApprovalScope> Scopes => [ApprovalScope.Certificate, ApprovalScope.PublicKey, ApprovalScope.Issuer];

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(ApprovalScope.PublicKey, true)]
    [InlineData(ApprovalScope.Certificate, false)]
    public async Task A_renewal_with_the_same_key_connects_silently_under_PublicKey_and_asks_under_Certificate(ApprovalScope scope, bool silent)
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        using X509Certificate2 renewal = Scoped.Leaf(Scoped.CaA, keyOf: first);
        await ApproveAsync(scope, first, Scoped.CaA);

        (ClientResult result, Agent agent) = await ConnectAsync(scope, renewal, Scoped.CaA);

        using (agent)
        {
            Assert.Equal(silent, result.Connected);
            Assert.Equal(silent ? DecisionReason.RememberedApproval : DecisionReason.DeniedByUser, result.Decision!.Reason);
            Assert.Equal(silent ? 0 : 1, agent.Prompt.Calls);
            if (!silent)
            {
                CertificatePromptRequest request = agent.Prompt.Requests[0];
                Assert.Equal(ApprovalChanges.NewCertificate, request.Changes);
                Assert.Equal(Fingerprint(first), request.PreviousApproval!.Fingerprint);
                Assert.StartsWith("This server's certificate changed since you approved it on 2026-06-01: new certificate.", request.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_renewal_with_a_new_key_from_the_same_issuer_key_connects_silently_under_Issuer()
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        using X509Certificate2 renewal = Scoped.Leaf(Scoped.CaA);
        await ApproveAsync(ApprovalScope.Issuer, first, Scoped.CaA);

        (ClientResult result, Agent agent) = await ConnectAsync(ApprovalScope.Issuer, renewal, Scoped.CaA);

        using (agent)
        {
            Assert.True(result.Connected);
            Assert.Equal(DecisionReason.RememberedApproval, result.Decision!.Reason);
            Assert.Equal(0, agent.Prompt.Calls);
        }

        // Under the key scope the same renewal asks: its key is new.
        (ClientResult underKey, Agent keyAgent) = await ConnectAsync(ApprovalScope.PublicKey, renewal, Scoped.CaA, freshStore: true, approveFirst: first);
        using (keyAgent)
        {
            Assert.False(underKey.Connected);
            Assert.Equal(ApprovalChanges.NewCertificate | ApprovalChanges.NewKey, keyAgent.Prompt.Requests[^1].Changes);
        }
    }

    [Fact]
    public async Task A_renewal_from_another_issuer_asks_and_the_question_says_what_changed()
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        using X509Certificate2 other = Scoped.Leaf(Scoped.CaB);
        await ApproveAsync(ApprovalScope.Issuer, first, Scoped.CaA);

        (ClientResult result, Agent agent) = await ConnectAsync(ApprovalScope.Issuer, other, Scoped.CaB);

        using (agent)
        {
            Assert.False(result.Connected);
            Assert.Equal(DecisionReason.DeniedByUser, result.Decision!.Reason);
            CertificatePromptRequest request = Assert.Single(agent.Prompt.Requests);
            Assert.Equal(ApprovalChanges.NewCertificate | ApprovalChanges.NewKey | ApprovalChanges.NewIssuer, request.Changes);
            Assert.Equal(ApprovalScope.Issuer, request.PreviousApproval!.Scope);
            Assert.Equal("This server's certificate changed since you approved it on 2026-06-01: new key, new issuer.", request.ChangeDescription);
            Assert.Contains(agent.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4030 && r.Message.Contains("NewIssuer", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_forged_certificate_with_the_same_subject_issuer_name_and_key_identifier_does_not_match_the_issuer_scope()
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        await ApproveAsync(ApprovalScope.Issuer, first, Scoped.CaA);

        // The forger's CA has CA A's name and key identifier, and the forged leaf CA A's authority key identifier: only the key differs.
        using X509Certificate2 forgerRoot = TestPki.CreateRoot("EMS Forger Root");
        using X509Certificate2 forgerCa = TestPki.Issue(forgerRoot, TestPki.CaSpec(Scoped.CaA.Subject) with { IncludeSubjectKeyIdentifier = false, Extensions = [Scoped.CaA.Extensions["2.5.29.14"]!] });
        using X509Certificate2 forged = TestPki.Issue(forgerCa, TestPki.LeafSpec(HandshakePki.Host) with
        {
            IncludeAuthorityKeyIdentifier = false,
            Extensions = [X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Scoped.CaA, true, false)],
        });
        Assert.Equal(first.SubjectName.Name, forged.SubjectName.Name);
        Assert.Equal(first.IssuerName.Name, forged.IssuerName.Name);
        Assert.Equal(first.Extensions["2.5.29.35"]!.RawData, forged.Extensions["2.5.29.35"]!.RawData);

        (ClientResult result, Agent agent) = await ConnectAsync(ApprovalScope.Issuer, forged, forgerCa);

        using (agent)
        {
            Assert.False(result.Connected);
            Assert.Equal(CertificateProblemKinds.PartialChain, result.Decision!.Report.Verdict.Kinds);
            Assert.Equal(1, agent.Prompt.Calls);
            Assert.True(agent.Prompt.Requests[0].Changes.HasFlag(ApprovalChanges.NewIssuer));
        }
    }

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task A_renewal_that_brings_a_new_problem_asks_in_every_scope(ApprovalScope scope)
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        using X509Certificate2 expiredRenewal = Scoped.Leaf(Scoped.CaA, keyOf: first, notAfter: HandshakePki.ExpiredOn);
        await ApproveAsync(scope, first, Scoped.CaA);

        (ClientResult result, Agent agent) = await ConnectAsync(scope, expiredRenewal, Scoped.CaA);

        using (agent)
        {
            Assert.False(result.Connected);
            CertificatePromptRequest request = Assert.Single(agent.Prompt.Requests);
            Assert.Equal(CertificateProblemKinds.PartialChain | CertificateProblemKinds.Expired, request.ProblemKinds);
            Assert.True(request.Changes.HasFlag(ApprovalChanges.NewProblems));
            Assert.False(request.Changes.HasFlag(ApprovalChanges.NewKey));
            Assert.Contains("new problems (now expired, incomplete chain; approved incomplete chain)", request.ChangeDescription, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_expired_approval_asks_again_even_when_the_handshake_cache_holds_the_decision()
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        await using var server = LoopbackTlsServer.Start(first, [Scoped.CaA]);
        using var agent = NewAgent(ApprovalScope.Certificate, new ScriptedPrompt(PromptAnswer.Allow), TimeSpan.FromDays(30));
        Assert.True((await TlsClient.ConnectAsync(agent.Policy, Server, server.Port)).Connected);

        _time.Advance(TimeSpan.FromDays(29));
        Assert.True(HandshakeFastPathTests.Handshake(agent.Policy, Server, first, Scoped.CaA));
        Assert.True(HandshakeFastPathTests.Handshake(agent.Policy, Server, first, Scoped.CaA));
        Assert.Equal("remembered_approval", agent.LastReason);
        Assert.Equal(2, agent.FullDecisions);

        _time.Advance(TimeSpan.FromDays(2));
        agent.Prompt.Then(PromptAnswer.Deny);
        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Server, server.Port);

        Assert.False(result.Connected);
        Assert.Equal(DecisionReason.DeniedByUser, result.Decision!.Reason);
        CertificatePromptRequest request = agent.Prompt.Requests[^1];
        Assert.Equal(ApprovalChanges.ApprovalExpired, request.Changes);
        Assert.Equal("You approved this server's certificate on 2026-06-01: the approval expired.", request.ChangeDescription);
    }

    [Fact]
    public async Task A_replaced_approval_still_applies_so_a_server_alternating_two_certificates_connects()
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        using X509Certificate2 second = Scoped.Leaf(Scoped.CaA);
        await ApproveAsync(ApprovalScope.Certificate, first, Scoped.CaA);
        await ApproveAsync(ApprovalScope.Certificate, second, Scoped.CaA);

        FileApprovalStore store = new(ApprovalsFile);
        CertificateApproval replaced = store.Find(Server, Fingerprint(first))!;
        CertificateApproval latest = store.Find(Server, Fingerprint(second))!;
        Assert.Equal(latest.ApprovedAt, replaced.ReplacedAt);
        Assert.Null(latest.ReplacedAt);
        Assert.Equal(Environment.UserName, latest.ApprovedBy);
        Assert.Equal(ApprovalScope.Certificate, latest.Scope);

        (ClientResult result, Agent agent) = await ConnectAsync(ApprovalScope.Certificate, first, Scoped.CaA);
        using (agent)
        {
            Assert.True(result.Connected);
            Assert.Equal(DecisionReason.RememberedApproval, result.Decision!.Reason);
        }
    }

    [Fact]
    public async Task A_self_signed_certificate_under_Issuer_scope_is_its_own_issuer()
    {
        using X509Certificate2 first = Scoped.SelfSigned(null);
        using X509Certificate2 sameKey = Scoped.SelfSigned(first);
        using X509Certificate2 newKey = Scoped.SelfSigned(null);
        await ApproveAsync(ApprovalScope.Issuer, first, null);

        (ClientResult kept, Agent keptAgent) = await ConnectAsync(ApprovalScope.Issuer, sameKey, null);
        (ClientResult changed, Agent changedAgent) = await ConnectAsync(ApprovalScope.Issuer, newKey, null);

        using (keptAgent)
        using (changedAgent)
        {
            Assert.Equal(DecisionReason.RememberedApproval, kept.Decision!.Reason);
            Assert.False(changed.Connected);
            Assert.Equal(ApprovalChanges.NewCertificate | ApprovalChanges.NewKey | ApprovalChanges.NewIssuer, changedAgent.Prompt.Requests[0].Changes);
        }
    }

    [Fact]
    public async Task When_the_issuer_key_cannot_be_established_the_approval_is_for_the_certificate_only_and_says_so()
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        await using var server = LoopbackTlsServer.Start(first);
        using var agent = NewAgent(ApprovalScope.Issuer, new ScriptedPrompt(PromptAnswer.Allow));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Server, server.Port);

        Assert.Equal(DecisionReason.ApprovedByUser, result.Decision!.Reason);
        Assert.Contains("remembered for this certificate only", result.Decision.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalScope.Certificate, Assert.Single(agent.Approvals.List()).Scope);
        Assert.Contains(agent.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4031 && r.Id.Name == "ApprovalScopeNarrowed");
    }

    [Fact]
    public async Task A_refusal_by_the_user_has_its_own_event_and_is_never_stored()
    {
        using X509Certificate2 first = Scoped.Leaf(Scoped.CaA);
        await using var server = LoopbackTlsServer.Start(first, [Scoped.CaA]);
        using var agent = NewAgent(ApprovalScope.PublicKey, new ScriptedPrompt(PromptAnswer.Deny));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Server, server.Port);

        Assert.Equal(DecisionReason.DeniedByUser, result.Decision!.Reason);
        Assert.Empty(agent.Approvals.List());
        Assert.False(File.Exists(ApprovalsFile));
        Assert.Equal(4005, DecisionEvents.Of(DecisionReason.DeniedByUser).Id.Id);
        Assert.Single(agent.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4005 && r.Id.Name == nameof(DecisionReason.DeniedByUser));
    }

    private string ApprovalsFile => _directory.File("approvals.json");

    private static CertificateFingerprint Fingerprint(X509Certificate2 certificate) =>
        CertificateFingerprint.Parse(certificate.GetCertHashString(HashAlgorithmName.SHA256));

    private Agent NewAgent(ApprovalScope scope, ScriptedPrompt prompt, TimeSpan? lifetime = null, string? file = null) => new(
        InvalidCertificateAction.Warn,
        prompt,
        new FileApprovalStore(file ?? ApprovalsFile, _time),
        time: _time,
        configure: o =>
        {
            o.ApprovalScope = scope;
            o.ApprovalLifetime = lifetime;
        });

    /// <summary>The user approves <paramref name="leaf"/> (served with <paramref name="ca"/>) under <paramref name="scope"/>.</summary>
    private async Task ApproveAsync(ApprovalScope scope, X509Certificate2 leaf, X509Certificate2? ca, string? file = null)
    {
        await using var server = LoopbackTlsServer.Start(leaf, ca is null ? null : [ca]);
        using var agent = NewAgent(scope, new ScriptedPrompt(PromptAnswer.Allow), file: file);
        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Server, server.Port);
        Assert.Equal(DecisionReason.ApprovedByUser, result.Decision!.Reason);
        _time.Advance(TimeSpan.FromMinutes(1));
    }

    /// <summary>A new agent under <paramref name="scope"/>, whose user would refuse, connects to a server presenting <paramref name="leaf"/>.</summary>
    private async Task<(ClientResult Result, Agent Agent)> ConnectAsync(ApprovalScope scope, X509Certificate2 leaf, X509Certificate2? ca, bool freshStore = false, X509Certificate2? approveFirst = null)
    {
        string? file = freshStore ? _directory.File($"approvals-{Guid.NewGuid():N}.json") : null;
        if (approveFirst is not null)
        {
            await ApproveAsync(scope, approveFirst, ca, file);
        }

        await using var server = LoopbackTlsServer.Start(leaf, ca is null ? null : [ca]);
        var agent = NewAgent(scope, new ScriptedPrompt(PromptAnswer.Deny), file: file);
        return (await TlsClient.ConnectAsync(agent.Policy, Server, server.Port), agent);
    }
}

/// <summary>
/// The certificates of the scope tests: two issuing CAs under roots the agents do not have (the server sends the
/// issuing CA; its leaves have the problem PartialChain), and leaves for <see cref="HandshakePki.Host"/> with their
/// private keys.
/// </summary>
internal static class Scoped
{
    private static readonly Lazy<X509Certificate2> LazyCaA = new(() => TestPki.CreateIntermediate(TestPki.CreateRoot("EMS Root A"), "EMS Issuing CA"));
    private static readonly Lazy<X509Certificate2> LazyCaB = new(() => TestPki.CreateIntermediate(TestPki.CreateRoot("EMS Root B"), "EMS Other Issuing CA"));

    /// <summary>An issuing CA whose root the agents do not have.</summary>
    public static X509Certificate2 CaA => LazyCaA.Value;

    /// <summary>Another one.</summary>
    public static X509Certificate2 CaB => LazyCaB.Value;

    /// <summary>A leaf issued by <paramref name="ca"/>, with a new key or the key of <paramref name="keyOf"/>.</summary>
    public static X509Certificate2 Leaf(X509Certificate2 ca, X509Certificate2? keyOf = null, DateTimeOffset? notAfter = null) =>
        WithKey(TestPki.Issue(ca, TestPki.LeafSpec(HandshakePki.Host) with { KeyOf = keyOf, NotAfter = notAfter }), keyOf);

    /// <summary>A self-signed leaf (a vendor default certificate), with a new key or the key of <paramref name="keyOf"/>.</summary>
    public static X509Certificate2 SelfSigned(X509Certificate2? keyOf)
    {
        if (keyOf is null)
        {
            return TestPki.Issue(null, TestPki.LeafSpec(HandshakePki.Host));
        }

        using ECDsa key = keyOf.GetECDsaPrivateKey()!;
        var request = new CertificateRequest(keyOf.SubjectName, key, HashAlgorithmName.SHA256);
        foreach (X509Extension extension in keyOf.Extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        return request.CreateSelfSigned(TestPki.DefaultNotBefore, TestPki.DefaultNotAfter.AddDays(1));
    }

    private static X509Certificate2 WithKey(X509Certificate2 certificate, X509Certificate2? keyOf)
    {
        if (keyOf is null)
        {
            return certificate;
        }

        using (certificate)
        {
            using ECDsa key = keyOf.GetECDsaPrivateKey()!;
            return certificate.CopyWithPrivateKey(key);
        }
    }
}
