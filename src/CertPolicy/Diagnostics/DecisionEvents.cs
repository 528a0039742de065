using System.Collections.Frozen;
using Microsoft.Extensions.Logging;

namespace CertPolicy;

/// <summary>
/// The one log event of a decision: every decision, the handshake cache's answers included, is written once, with an
/// event id, a name and a level per reason (documented in docs/decisions.md). A refusal is never below Information.
/// One message template serves every reason; the table below only says what differs.
/// </summary>
internal static class DecisionEvents
{
    private const string CachedSuffix = " Answered from the handshake cache.";

    private static readonly FrozenDictionary<DecisionReason, DecisionEvent> Events = new DecisionEvent[]
    {
        new(DecisionReason.Valid, 4000, LogLevel.Debug, DecisionOutcome.Connect, string.Empty),
        new(DecisionReason.AllowedByPolicy, 4001, LogLevel.Warning, DecisionOutcome.Connect, " despite the certificate's problems"),
        new(DecisionReason.ApprovedByUser, 4002, LogLevel.Information, DecisionOutcome.Connect, " on the user's answer despite the certificate's problems"),
        new(DecisionReason.RememberedApproval, 4003, LogLevel.Information, DecisionOutcome.Connect, " on a remembered approval despite the certificate's problems"),
        new(DecisionReason.DeniedByPolicy, 4004, LogLevel.Warning, DecisionOutcome.Refuse, ": the profile denies invalid certificates"),
        new(DecisionReason.DeniedByUser, 4005, LogLevel.Warning, DecisionOutcome.Refuse, ": the user refused the certificate"),
        new(DecisionReason.NoPrompt, 4006, LogLevel.Warning, DecisionOutcome.Refuse, ": no one to ask, failing closed"),
        new(DecisionReason.PromptTimedOut, 4007, LogLevel.Warning, DecisionOutcome.Refuse, ": no answer within the prompt timeout, failing closed"),
        new(DecisionReason.PromptFailed, 4008, LogLevel.Error, DecisionOutcome.Refuse, ": asking failed, failing closed"),
        new(DecisionReason.NeedsUserAnswer, 4009, LogLevel.Information, DecisionOutcome.Refuse, ": the certificate needs the user's answer and this caller cannot wait for one"),
        new(DecisionReason.NotApprovable, 4010, LogLevel.Warning, DecisionOutcome.Refuse, ": no server or readable certificate to approve"),
        new(DecisionReason.Distrusted, 4011, LogLevel.Warning, DecisionOutcome.Refuse, ": the certificate is on the profile's distrust list"),
        new(DecisionReason.PreApproved, 4012, LogLevel.Information, DecisionOutcome.Connect, " on the profile's pre-approval despite the certificate's problems"),
    }.ToFrozenDictionary(e => e.Reason);

    /// <summary>The event of <paramref name="reason"/>: its id and name (the reason's name) and level.</summary>
    public static (EventId Id, LogLevel Level) Of(DecisionReason reason)
    {
        DecisionEvent e = Events[reason];
        return (e.Id, e.Level);
    }

    /// <summary>Writes the decision's event; <paramref name="cached"/> when the handshake cache answered.</summary>
    public static void Write(ILogger logger, string profile, CertificateDecision decision, bool cached, Exception? error)
    {
        if (!Events.TryGetValue(decision.Reason, out DecisionEvent? e) || !logger.IsEnabled(e.Level))
        {
            return;
        }

        ValidationReport report = decision.Report;
        (cached ? e.Cached : e.Full)(
            logger,
            profile,
            report.Identity,
            decision.Reason,
            report.Verdict.Kinds,
            report.Certificate?.Subject ?? "(none)",
            report.Certificate?.Sha256Fingerprint ?? "(none)",
            error);
    }

    private sealed class DecisionEvent
    {
        public DecisionEvent(DecisionReason reason, int id, LogLevel level, DecisionOutcome outcome, string detail)
        {
            Reason = reason;
            Id = new EventId(id, reason.ToString());
            Level = level;
            string template = $"Profile {{Profile}}: {outcome} {{Server}} ({{Reason}}){detail}; problems {{Problems}}, certificate {{Subject}}, SHA-256 {{Fingerprint}}.";
            var options = new LogDefineOptions { SkipEnabledCheck = true };
            Full = LoggerMessage.Define<string, ServerIdentity?, DecisionReason, CertificateProblemKinds, string, string>(level, Id, template, options);
            Cached = LoggerMessage.Define<string, ServerIdentity?, DecisionReason, CertificateProblemKinds, string, string>(level, Id, template + CachedSuffix, options);
        }

        public DecisionReason Reason { get; }

        public EventId Id { get; }

        public LogLevel Level { get; }

        public Action<ILogger, string, ServerIdentity?, DecisionReason, CertificateProblemKinds, string, string, Exception?> Full { get; }

        public Action<ILogger, string, ServerIdentity?, DecisionReason, CertificateProblemKinds, string, string, Exception?> Cached { get; }
    }
}
