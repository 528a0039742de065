namespace CertPolicy;

/// <summary>
/// The decision about one server certificate: connect or refuse, why, and the validation report it was made from.
/// </summary>
public sealed class CertificateDecision
{
    private string? _message;

    internal CertificateDecision(DecisionOutcome outcome, DecisionReason reason, ValidationReport report, string? note = null, long? approvalsVersion = null, MigrationPreview? migrationPreview = null)
    {
        MigrationPreview = migrationPreview;
        Outcome = outcome;
        Reason = reason;
        Report = report;
        Note = note;
        ApprovalsVersion = approvalsVersion;
    }

    /// <summary>Whether the connection goes ahead.</summary>
    public DecisionOutcome Outcome { get; }

    /// <summary>Why.</summary>
    public DecisionReason Reason { get; }

    /// <summary>True when <see cref="Outcome"/> is <see cref="DecisionOutcome.Connect"/>.</summary>
    public bool ShouldConnect => Outcome == DecisionOutcome.Connect;

    /// <summary>The validation report the decision was made from.</summary>
    public ValidationReport Report { get; }

    /// <summary>
    /// In report-only mode (<see cref="ValidationMode.ReportOnly"/>), what the profile would decide under modern
    /// validation; null in every other mode. This decision (<see cref="Outcome"/>) is the legacy one, and is the one
    /// that counts.
    /// </summary>
    public MigrationPreview? MigrationPreview { get; }

    /// <summary>The decision in a sentence a person can read: the outcome, the server and the reason.</summary>
    public string Message => _message ??= DecisionText.Describe(this);

    /// <summary>An extra remark for <see cref="Message"/>, such as an approval that could not be remembered.</summary>
    internal string? Note { get; }

    /// <summary>
    /// The approvals' version read before the remembered approval was looked up, when the decision depends on
    /// remembered approvals (<see cref="DecisionReason.RememberedApproval"/>, or a <see cref="MigrationPreview"/> that
    /// consulted them); null when it does not.
    /// </summary>
    internal long? ApprovalsVersion { get; }

    /// <summary>When the remembered approval the decision rests on expires (the profile's approval lifetime); null for never.</summary>
    internal DateTimeOffset? ApprovalExpiresAt { get; init; }

    /// <summary>
    /// True when the decision stays right, without anyone's answer, for as long as its report holds (and, when it
    /// depends on them, the approvals are unchanged): a handshake cache may answer with it. A decision that waited for
    /// (or needs) the user, or one taken without a judged path, is never reused.
    /// </summary>
    internal bool IsReusable => Report.Path.Count > 0
        && Reason is DecisionReason.Valid or DecisionReason.AllowedByPolicy or DecisionReason.RememberedApproval or DecisionReason.DeniedByPolicy
            or DecisionReason.Distrusted or DecisionReason.PreApproved;

    /// <inheritdoc/>
    public override string ToString() => Message;
}
