namespace CertPolicy;

/// <summary>What a report-only agent would do under modern validation (see <see cref="MigrationPreview"/>).</summary>
public enum MigrationOutcome
{
    /// <summary>It would connect without asking anyone.</summary>
    Connect = 0,

    /// <summary>It would need someone's answer: a prompt, or (on an agent with no prompt) a pending question and a refusal until it is answered.</summary>
    Prompt = 1,

    /// <summary>It would refuse the connection.</summary>
    Refuse = 2,
}
