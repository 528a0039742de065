namespace CertPolicy.Cli.Judging;

/// <summary>Which verdict an agent's profile decides with: modern agents (Mode Modern) or legacy agents (Mode Legacy, subject name only).</summary>
internal enum AgentGeneration
{
    Modern,
    Legacy,
}

/// <summary>What agents of one generation, under one InvalidCertificateAction, do with a certificate.</summary>
/// <param name="Generation">Modern or legacy agents.</param>
/// <param name="Action">Allow, Warn or Deny.</param>
/// <param name="Outcome">One of <see cref="Outcomes"/>.</param>
/// <param name="Reason">The decision engine's reason.</param>
/// <param name="Description">The outcome in a few words (at most 34 characters, so tables fit 80 columns).</param>
/// <param name="ApprovedAt">When the remembered approval that applies, or no longer applies, was given.</param>
internal sealed record AgentOutcome(
    AgentGeneration Generation,
    InvalidCertificateAction Action,
    string Outcome,
    DecisionReason Reason,
    string Description,
    DateTimeOffset? ApprovedAt)
{
    /// <summary>True when the agent connects without anyone being asked.</summary>
    public bool ConnectsSilently => Outcome == Outcomes.Connect;
}

/// <summary>The outcomes an agent can reach, as they appear in JSON and in plan totals.</summary>
internal static class Outcomes
{
    /// <summary>Connects without asking anyone (valid, allowed by policy, or a remembered approval).</summary>
    public const string Connect = "connect";

    /// <summary>Asks its user before connecting.</summary>
    public const string Prompt = "ask";

    /// <summary>Refuses.</summary>
    public const string Refuse = "refuse";

    /// <summary>
    /// A headless agent (no user session) that would have to ask: today the library refuses (NoPrompt); no pending
    /// question is recorded for an administrator to answer.
    /// </summary>
    public const string Unattended = "refuse-unattended";

    /// <summary>Every outcome, in the order totals are shown.</summary>
    public static readonly string[] All = [Connect, Prompt, Refuse, Unattended];

    /// <summary>The outcome in words, for totals.</summary>
    public static string Describe(string outcome) => outcome switch
    {
        Connect => "connect silently",
        Prompt => "prompt their user",
        Refuse => "refuse",
        Unattended => "refuse: headless, no one to ask (pending question)",
        _ => outcome,
    };
}
