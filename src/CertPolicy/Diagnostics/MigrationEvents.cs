using Microsoft.Extensions.Logging;

namespace CertPolicy;

/// <summary>
/// The log event of a report-only preview (event 4400, <see cref="Log.MigrationPreview"/>), written once per decision
/// beside the decision's own event, the handshake cache's answers included. Would refuse and would prompt are
/// warnings (what turning modern validation on would break or ask about); would connect is Information when it rests
/// on something other than a valid certificate (an action, an approval, a pin or an accepted notice), Debug otherwise.
/// </summary>
internal static class MigrationEvents
{
    public static void Write(ILogger logger, string profile, CertificateDecision decision, MigrationPreview preview, bool cached)
    {
        ValidationVerdict modern = preview.Verdict;
        LogLevel level = preview.Outcome != MigrationOutcome.Connect
            ? LogLevel.Warning
            : preview.Reason == DecisionReason.Valid && modern.NoticeKinds == CertificateProblemKinds.None ? LogLevel.Debug : LogLevel.Information;
        if (!logger.IsEnabled(level))
        {
            return;
        }

        ValidationReport report = decision.Report;
        string would = CertPolicyMetrics.MigrationOutcomeName(preview.Outcome);
        Log.MigrationPreview(
            logger,
            level,
            profile,
            decision.Outcome,
            report.Identity,
            decision.Reason,
            would,
            preview.Reason,
            modern.Kinds,
            modern.NoticeKinds,
            report.Certificate?.Subject ?? "(none)",
            report.Certificate?.Sha256Fingerprint ?? "(none)",
            cached ? "fast" : "full");
    }
}
