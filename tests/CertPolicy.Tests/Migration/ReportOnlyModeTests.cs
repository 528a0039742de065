using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Handshake;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CertPolicy.Tests.Migration;

/// <summary>
/// Report-only migration mode (issue 17) over real TLS 1.3 on loopback: the agent connects by the legacy subject
/// rule, exactly as a legacy agent, while it logs (event 4400) and counts (certpolicy.migration.would_decide) what
/// modern validation would do, without asking anyone or storing anything for it.
/// </summary>
public sealed class ReportOnlyModeTests : IDisposable
{
    /// <summary>The subject common name the report-only agents expect, as legacy agents were configured.</summary>
    private const string LegacySubject = "EMS Server";

    private readonly TempDirectory _directory = new();

    private static ServerIdentity Identity(LoopbackTlsServer server) => ServerIdentity.Create(HandshakePki.Host, server.Port);

    public void Dispose() => _directory.Dispose();

    /// <summary>Asserts that the agent counted <paramref name="count"/> previews, every one with these tags.</summary>
    private static void AssertCounted(Agent agent, int count, string would, string reason, string problems)
    {
        IReadOnlyList<CollectedMeasurement<long>> counted = agent.Migration.GetMeasurementSnapshot();
        Assert.Equal(count, counted.Count);
        Assert.All(counted, m =>
        {
            Assert.Equal(1, m.Value);
            Assert.Equal("agent", m.Tags["certpolicy.profile"]);
            Assert.Equal(would, m.Tags["certpolicy.would"]);
            Assert.Equal(reason, m.Tags["certpolicy.reason"]);
            Assert.Equal(problems, m.Tags["certpolicy.problems"]);
        });
    }

    [Fact]
    public async Task An_expired_certificate_connects_by_the_legacy_rule_and_counts_as_a_would_refuse_under_deny()
    {
        X509Certificate2 expired = TestPki.CreateLeaf(HandshakePki.Root, [HandshakePki.Host], commonName: LegacySubject, notAfter: HandshakePki.ExpiredOn);
        await using var server = LoopbackTlsServer.Start(expired);
        using var agent = new Agent(InvalidCertificateAction.Deny, mode: ValidationMode.ReportOnly, expectedSubject: LegacySubject);

        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);
        ClientResult fromCache = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);

        // It connects, as a legacy agent would: the legacy verdict decides.
        Assert.True(viaAsync.Connected);
        Assert.True(viaCallback.Connected);
        Assert.True(fromCache.Connected);
        Assert.Equal(TlsClient.Message, fromCache.Echo);
        CertificateDecision decision = viaAsync.Decision!;
        Assert.Equal(DecisionReason.Valid, decision.Reason);
        Assert.True(decision.Report.Legacy!.IsValid);
        Assert.Same(decision.Report.Legacy, decision.Report.Verdict);
        Assert.Equal(CertificateProblemKinds.Expired, decision.Report.Modern.Kinds);

        // And says what modern validation would do: refuse.
        MigrationPreview preview = Assert.IsType<MigrationPreview>(decision.MigrationPreview);
        Assert.Equal(MigrationOutcome.Refuse, preview.Outcome);
        Assert.Equal(DecisionReason.DeniedByPolicy, preview.Reason);
        Assert.Same(decision.Report.Modern, preview.Verdict);
        Assert.StartsWith("Refuse (DeniedByPolicy) under modern validation", preview.Message, StringComparison.Ordinal);
        Assert.Contains("expired", preview.Message, StringComparison.Ordinal);

        // Counted once per connection, the handshake cache's answer included.
        Assert.Equal(1, agent.Policy.CachedDecisionCount);
        AssertCounted(agent, 3, "refuse", "denied_by_policy", "expired");

        List<FakeLogRecord> logged = [.. agent.Logs.Collector.GetSnapshot().Where(r => r.Id.Id == 4400)];
        Assert.Equal(3, logged.Count);
        Assert.All(logged, r =>
        {
            Assert.Equal(LogLevel.Warning, r.Level);
            Assert.Equal("MigrationPreview", r.Id.Name);
            Assert.Contains("would refuse (DeniedByPolicy)", r.Message, StringComparison.Ordinal);
            Assert.Contains(CertificateFingerprint.Compute(expired.RawData).ToString(), r.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"{HandshakePki.Host}:{server.Port}", r.Message, StringComparison.Ordinal);
            Assert.Contains("Expired", r.Message, StringComparison.Ordinal);
        });
        Assert.Equal(1, logged.Count(r => r.Message.EndsWith("path fast.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_untrusted_certificate_under_warn_counts_as_a_would_prompt_and_nobody_is_asked_nothing_stored()
    {
        X509Certificate2 untrusted = TestPki.CreateLeaf(HandshakePki.OtherRoot, [HandshakePki.Host], commonName: LegacySubject);
        var pending = new PendingQuestionStore(PendingQuestionStore.FilePathFor(_directory.File("approvals.json")));
        await using var server = LoopbackTlsServer.Start(untrusted);
        using var agent = new Agent(
            InvalidCertificateAction.Warn,
            approvals: new FileApprovalStore(_directory.File("approvals.json")),
            mode: ValidationMode.ReportOnly,
            expectedSubject: LegacySubject,
            configure: o => o.PendingQuestions = pending);

        ClientResult viaAsync = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);

        Assert.True(viaAsync.Connected);
        Assert.True(viaCallback.Connected);
        Assert.Equal(DecisionReason.Valid, viaAsync.Decision!.Reason);
        MigrationPreview preview = viaAsync.Decision.MigrationPreview!;
        Assert.Equal(MigrationOutcome.Prompt, preview.Outcome);
        Assert.Equal(DecisionReason.NeedsUserAnswer, preview.Reason);
        Assert.Equal(CertificateProblemKinds.PartialChain, preview.Verdict.Kinds);

        // Nobody asked, nothing remembered, no question pending, no file written.
        Assert.Equal(0, agent.Prompt.Calls);
        Assert.Empty(agent.Approvals.List());
        Assert.Empty(pending.List());
        Assert.False(File.Exists(pending.FilePath));
        Assert.False(File.Exists(_directory.File("approvals.json")));
        Assert.DoesNotContain(agent.Logs.Collector.GetSnapshot(), r => r.Id.Id is 4020 or 4024 or 4300);

        AssertCounted(agent, 2, "prompt", "needs_user_answer", "partial_chain");
        Assert.All(agent.Logs.Collector.GetSnapshot().Where(r => r.Id.Id == 4400), r => Assert.Contains("would prompt", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_remembered_approval_of_the_modern_problems_turns_the_would_prompt_into_would_connect_and_the_cache_follows_it()
    {
        X509Certificate2 untrusted = TestPki.CreateLeaf(HandshakePki.OtherRoot, [HandshakePki.Host], commonName: LegacySubject);
        await using var server = LoopbackTlsServer.Start(untrusted);
        using var agent = new Agent(InvalidCertificateAction.Warn, mode: ValidationMode.ReportOnly, expectedSubject: LegacySubject);
        Assert.True((await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port)).Connected);

        // An administrator approves the certificate with its modern problems (as after a modern agent's prompt).
        await agent.Approvals.SaveAsync(
            new CertificateApproval(Identity(server), CertificateFingerprint.Compute(untrusted.RawData), CertificateProblemKinds.PartialChain, TestPki.Now),
            TestContext.Current.CancellationToken);
        Assert.True((await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port)).Connected);

        string?[] would = [.. agent.Migration.GetMeasurementSnapshot().Select(m => m.Tags["certpolicy.would"] as string)];
        string?[] reasons = [.. agent.Migration.GetMeasurementSnapshot().Select(m => m.Tags["certpolicy.reason"] as string)];
        Assert.Equal(["prompt", "connect"], would);
        Assert.Equal(["needs_user_answer", "remembered_approval"], reasons);
        Assert.Equal(0, agent.Prompt.Calls);
    }

    [Fact]
    public async Task Where_the_legacy_rule_fails_report_only_decides_exactly_as_legacy_mode_and_still_reports_both_verdicts()
    {
        // The server moved to a proper certificate with another subject: legacy agents refuse it, modern ones take it.
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid);
        foreach (InvalidCertificateAction action in (InvalidCertificateAction[])[InvalidCertificateAction.Deny, InvalidCertificateAction.Allow])
        {
            using var reportOnly = new Agent(action, mode: ValidationMode.ReportOnly, expectedSubject: LegacySubject);
            using var legacy = new Agent(action, mode: ValidationMode.Legacy, expectedSubject: LegacySubject);

            ClientResult seen = await TlsClient.ConnectAsync(reportOnly.Policy, Identity(server), server.Port);
            ClientResult expected = await TlsClient.ConnectAsync(legacy.Policy, Identity(server), server.Port);

            Assert.Equal(expected.Connected, seen.Connected);
            Assert.Equal(expected.Decision!.Reason, seen.Decision!.Reason);
            Assert.Equal(expected.Decision.Report.Verdict.Kinds, seen.Decision.Report.Verdict.Kinds);
            Assert.Equal(CertificateProblemKinds.SubjectMismatch, seen.Decision.Report.Legacy!.Kinds);
            Assert.True(seen.Decision.Report.Modern.IsValid);
            Assert.Equal(ValidationMode.ReportOnly, seen.Decision.Report.Mode);
            Assert.Null(expected.Decision.MigrationPreview);
            Assert.Equal(MigrationOutcome.Connect, seen.Decision.MigrationPreview!.Outcome);
            Assert.Equal(DecisionReason.Valid, seen.Decision.MigrationPreview.Reason);
            Assert.Equal("connect", Assert.Single(reportOnly.Migration.GetMeasurementSnapshot()).Tags["certpolicy.would"]);
            Assert.Empty(legacy.Migration.GetMeasurementSnapshot());
        }
    }

    [Fact]
    public async Task A_distrusted_certificate_is_refused_and_previewed_as_refused()
    {
        X509Certificate2 vendor = HandshakePki.VendorDefault;
        await using var server = LoopbackTlsServer.Start(vendor);
        using var agent = new Agent(
            InvalidCertificateAction.Allow,
            mode: ValidationMode.ReportOnly,
            expectedSubject: "EMS Default Certificate",
            configure: o => o.DistrustedFingerprints.Add(CertificateFingerprint.Compute(vendor.RawData).ToString()));

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(result.Connected);
        Assert.Equal(DecisionReason.Distrusted, result.Decision!.Reason);
        Assert.Equal(MigrationOutcome.Refuse, result.Decision.MigrationPreview!.Outcome);
        Assert.Equal(DecisionReason.Distrusted, result.Decision.MigrationPreview.Reason);
    }

    [Fact]
    public void Report_only_mode_needs_the_expected_subject_as_legacy_mode_does()
    {
        var options = new CertificateValidatorOptions { Mode = ValidationMode.ReportOnly, TrustStore = TrustStore.FromCertificates([]) };

        ArgumentException error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(nameof(CertificateValidatorOptions.ExpectedSubject), error.ParamName);
        Assert.Contains("report-only", error.Message, StringComparison.Ordinal);
    }
}
