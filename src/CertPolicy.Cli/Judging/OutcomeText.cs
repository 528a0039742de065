namespace CertPolicy.Cli.Judging;

/// <summary>
/// Turns the engine's decision into an outcome and a few words. This is the one place that knows the engine's
/// reasons: lifecycle outcomes later releases add (pre-approved, distrusted, a remembered approval with its scope)
/// get their case here, and every table, JSON field and plan total follows.
/// </summary>
internal static class OutcomeText
{
    public static AgentOutcome Describe(AgentGeneration generation, InvalidCertificateAction action, CertificateDecision decision, CertificateApproval? approval)
    {
        ArgumentNullException.ThrowIfNull(decision);
        DecisionReason reason = decision.Reason;
        (string Outcome, string Words, DateTimeOffset? ApprovedAt) result = reason switch
        {
            DecisionReason.Valid => (Outcomes.Connect, "connects silently", null),
            DecisionReason.AllowedByPolicy => (Outcomes.Connect, "connects (allowed by policy)", null),
            DecisionReason.RememberedApproval => (Outcomes.Connect, "connects (remembered approval)", approval?.ApprovedAt),
            DecisionReason.NeedsUserAnswer when approval is not null => (Outcomes.Prompt, "asks: approved for other problems", approval.ApprovedAt),
            DecisionReason.NeedsUserAnswer => (Outcomes.Prompt, "asks the user", null),
            DecisionReason.NoPrompt => (Outcomes.Unattended, "refuses (headless: no one to ask)", null),
            DecisionReason.DeniedByPolicy => (Outcomes.Refuse, "refuses", null),
            DecisionReason.NotApprovable => (Outcomes.Refuse, "refuses (nothing to approve)", null),
            DecisionReason.Distrusted => (Outcomes.Refuse, "refuses (distrusted by the profile)", null),
            DecisionReason.PreApproved => (Outcomes.Connect, "connects (pre-approved by the profile)", null),
            _ => (decision.ShouldConnect ? Outcomes.Connect : Outcomes.Refuse, decision.ShouldConnect ? "connects" : "refuses", null),
        };
        string words = decision.MigrationPreview is { } preview
            ? $"{result.Words}; modern validation would {Would(preview.Outcome)} ({preview.Reason})"
            : result.Words;
        return new AgentOutcome(generation, action, result.Outcome, reason, words, result.ApprovedAt);
    }

    /// <summary>The would-be outcome of a report-only profile, as the metrics and logs word it.</summary>
    private static string Would(MigrationOutcome outcome) => outcome switch
    {
        MigrationOutcome.Connect => "connect",
        MigrationOutcome.Prompt => "prompt",
        _ => "refuse",
    };
}
