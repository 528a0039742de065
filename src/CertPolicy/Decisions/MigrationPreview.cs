namespace CertPolicy;

/// <summary>
/// What a report-only agent (<see cref="ValidationMode.ReportOnly"/>) would have decided under modern validation, for
/// a connection it decided by the legacy rule: the outcome, the reason the engine would give, and the modern verdict's
/// problems and notices. Only the engine makes one; it is never acted on: nobody is asked and nothing is stored for it.
/// </summary>
public sealed class MigrationPreview
{
    private string? _message;

    internal MigrationPreview(MigrationOutcome outcome, DecisionReason reason, ValidationReport report, string? note)
    {
        Outcome = outcome;
        Reason = reason;
        Verdict = report.Modern;
        Server = report.Identity;
        Note = note;
    }

    /// <summary>Connect, prompt or refuse.</summary>
    public MigrationOutcome Outcome { get; }

    /// <summary>
    /// The reason the engine would give: <see cref="DecisionReason.Valid"/>, <see cref="DecisionReason.AllowedByPolicy"/>,
    /// <see cref="DecisionReason.RememberedApproval"/>, <see cref="DecisionReason.PreApproved"/> (connect);
    /// <see cref="DecisionReason.NeedsUserAnswer"/> (prompt); <see cref="DecisionReason.DeniedByPolicy"/>,
    /// <see cref="DecisionReason.Distrusted"/>, <see cref="DecisionReason.NotApprovable"/> (refuse).
    /// </summary>
    public DecisionReason Reason { get; }

    /// <summary>The modern verdict the would-be decision rests on (the report's <see cref="ValidationReport.Modern"/>).</summary>
    public ValidationVerdict Verdict { get; }

    /// <summary>The would-be decision in a sentence, such as "Refuse (DeniedByPolicy) under modern validation: ...".</summary>
    public string Message => _message ??= Describe();

    private ServerIdentity? Server { get; }

    private string? Note { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;

    private string Describe()
    {
        string server = Server?.ToString() ?? "the server";
        string problems = ProblemText.ShortList(Verdict.Kinds);
        string why = Reason switch
        {
            DecisionReason.Valid => "the certificate is valid",
            DecisionReason.AllowedByPolicy => $"the certificate has problems ({problems}) and the profile allows invalid certificates",
            DecisionReason.RememberedApproval => $"the certificate has problems ({problems}) that a remembered approval covers",
            DecisionReason.PreApproved => $"the certificate has problems ({problems}) and the profile pre-approves it",
            DecisionReason.NeedsUserAnswer => $"the certificate has problems ({problems}) and the profile warns, so someone would be asked",
            DecisionReason.DeniedByPolicy => $"the certificate has problems ({problems}) and the profile denies invalid certificates",
            DecisionReason.Distrusted => "the certificate is on the profile's distrust list",
            DecisionReason.NotApprovable => $"the certificate has problems ({problems}) and nothing could be approved",
            _ => Reason.ToString(),
        };
        string text = $"{Outcome} ({Reason}) under modern validation: {server}: {why}.";
        if (Verdict.NoticeKinds != CertificateProblemKinds.None)
        {
            text += $" It relies on {ProblemText.ShortList(Verdict.NoticeKinds)}, which only this profile's opt-in accepts.";
        }

        return Note is null ? text : $"{text} {Note}";
    }
}
