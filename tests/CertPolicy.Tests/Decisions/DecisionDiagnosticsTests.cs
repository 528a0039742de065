using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace CertPolicy.Tests.Decisions;

public sealed class DecisionDiagnosticsTests
{
    private const CertificateProblemKinds Untrusted = CertificateProblemKinds.UntrustedRoot;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<DecisionReason, int, LogLevel> Events => new()
    {
        { DecisionReason.Valid, 4000, LogLevel.Debug },
        { DecisionReason.AllowedByPolicy, 4001, LogLevel.Warning },
        { DecisionReason.ApprovedByUser, 4002, LogLevel.Information },
        { DecisionReason.RememberedApproval, 4003, LogLevel.Information },
        { DecisionReason.DeniedByPolicy, 4004, LogLevel.Warning },
        { DecisionReason.DeniedByUser, 4005, LogLevel.Warning },
        { DecisionReason.NoPrompt, 4006, LogLevel.Warning },
        { DecisionReason.PromptTimedOut, 4007, LogLevel.Warning },
        { DecisionReason.PromptFailed, 4008, LogLevel.Error },
        { DecisionReason.NeedsUserAnswer, 4009, LogLevel.Information },
        { DecisionReason.NotApprovable, 4010, LogLevel.Warning },
    };

    [Theory]
    [MemberData(nameof(Events))]
    public async Task Every_decision_is_logged_with_its_stable_event_id_subject_and_fingerprint(DecisionReason reason, int eventId, LogLevel level)
    {
        using EngineFixture fixture = await DecideAsync(reason);

        FakeLogRecord record = Assert.Single(fixture.Logs.Collector.GetSnapshot(), r => r.Id.Id is >= 4000 and <= 4010);
        Assert.Equal(eventId, record.Id.Id);
        Assert.Equal(reason.ToString(), record.Id.Name);
        Assert.Equal(level, record.Level);
        Assert.Equal(reason.ToString(), record.GetStructuredStateValue("Reason"));
        Assert.Equal("test", record.GetStructuredStateValue("Profile"));
        Assert.Contains(reason is DecisionReason.Valid or DecisionReason.AllowedByPolicy or DecisionReason.ApprovedByUser or DecisionReason.RememberedApproval ? "Connect" : "Refuse", record.Message, StringComparison.Ordinal);
        if (reason != DecisionReason.NotApprovable)
        {
            Assert.Contains(Reports.Leaf.Subject, record.Message, StringComparison.Ordinal);
            Assert.Contains(Reports.Leaf.Sha256Fingerprint, record.Message, StringComparison.Ordinal);
            Assert.Contains("ems.example.test:8443", record.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Decisions_are_counted_by_outcome_and_reason_only()
    {
        using var fixture = new EngineFixture(InvalidCertificateAction.Warn, TestPrompt.Answering(PromptAnswer.Allow));
        using var collector = new MetricCollector<long>(fixture.Meters, "CertPolicy", "certpolicy.decisions");

        await fixture.Engine.DecideAsync(Reports.Valid(), Ct);
        await fixture.Engine.DecideAsync(Reports.Valid(), Ct);
        await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        await fixture.Engine.DecideAsync(Reports.Invalid(Untrusted), Ct);
        fixture.Engine.DecideWithoutPrompt(Reports.Invalid(CertificateProblemKinds.Expired));

        IReadOnlyList<CollectedMeasurement<long>> measurements = collector.GetMeasurementSnapshot();
        Assert.Equal(5, measurements.Count);
        Assert.All(measurements, m =>
        {
            Assert.Equal(1, m.Value);
            Assert.Equal(["certpolicy.outcome", "certpolicy.reason"], m.Tags.Keys.Order());
            Assert.All(m.Tags.Values, v => Assert.DoesNotContain("example", (string)v!, StringComparison.Ordinal));
        });
        Assert.Equal(2, measurements.Count(m => Has(m, "connect", "valid")));
        Assert.Equal(1, measurements.Count(m => Has(m, "connect", "approved_by_user")));
        Assert.Equal(1, measurements.Count(m => Has(m, "connect", "remembered_approval")));
        Assert.Equal(1, measurements.Count(m => Has(m, "refuse", "needs_user_answer")));
    }

    [Fact]
    public void Every_reason_has_a_metric_tag_value()
    {
        Assert.All(Enum.GetValues<DecisionReason>(), r => Assert.Matches("^[a-z_]+$", CertPolicyMetrics.ReasonName(r)));
        Assert.Equal(Enum.GetValues<DecisionReason>().Length, Enum.GetValues<DecisionReason>().Select(CertPolicyMetrics.ReasonName).Distinct().Count());
    }

    private static bool Has(CollectedMeasurement<long> measurement, string outcome, string reason) =>
        Equals(measurement.Tags["certpolicy.outcome"], outcome) && Equals(measurement.Tags["certpolicy.reason"], reason);

    private static async Task<EngineFixture> DecideAsync(DecisionReason reason)
    {
        InvalidCertificateAction action = reason switch
        {
            DecisionReason.AllowedByPolicy => InvalidCertificateAction.Allow,
            DecisionReason.DeniedByPolicy => InvalidCertificateAction.Deny,
            _ => InvalidCertificateAction.Warn,
        };
        TestPrompt? prompt = reason switch
        {
            DecisionReason.NoPrompt => null,
            DecisionReason.PromptTimedOut => TestPrompt.Gated(),
            DecisionReason.PromptFailed => TestPrompt.Throwing(new InvalidOperationException("no desktop")),
            DecisionReason.DeniedByUser => TestPrompt.Answering(PromptAnswer.Deny),
            _ => TestPrompt.Answering(PromptAnswer.Allow),
        };
        var fixture = new EngineFixture(action, prompt, promptTimeout: TimeSpan.FromSeconds(5));
        if (reason == DecisionReason.RememberedApproval)
        {
            await fixture.Approvals.SaveAsync(new CertificateApproval(Reports.Server, CertificateFingerprint.Parse(Reports.Leaf.Sha256Fingerprint), Untrusted, fixture.Time.GetUtcNow()), Ct);
        }

        ValidationReport report = reason switch
        {
            DecisionReason.Valid => Reports.Valid(),
            DecisionReason.NotApprovable => Reports.Invalid(CertificateProblemKinds.NoCertificate, withoutCertificate: true),
            _ => Reports.Invalid(Untrusted),
        };

        if (reason == DecisionReason.NeedsUserAnswer)
        {
            fixture.Engine.DecideWithoutPrompt(report);
        }
        else if (reason == DecisionReason.PromptTimedOut)
        {
            ValueTask<CertificateDecision> pending = fixture.Engine.DecideAsync(report, Ct);
            await prompt!.Asked.WaitAsync(Bound, Ct);
            fixture.Time.Advance(TimeSpan.FromSeconds(5));
            await pending.AsTask().WaitAsync(Bound, Ct);
        }
        else
        {
            await fixture.Engine.DecideAsync(report, Ct);
        }

        return fixture;
    }
}
