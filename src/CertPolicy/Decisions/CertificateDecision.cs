namespace CertPolicy;

/// <summary>
/// The decision about one server certificate: connect or refuse, why, and the validation report it was made from.
/// </summary>
public sealed class CertificateDecision
{
    private string? _message;

    internal CertificateDecision(DecisionOutcome outcome, DecisionReason reason, ValidationReport report, string? note = null)
    {
        Outcome = outcome;
        Reason = reason;
        Report = report;
        Note = note;
    }

    /// <summary>Whether the connection goes ahead.</summary>
    public DecisionOutcome Outcome { get; }

    /// <summary>Why.</summary>
    public DecisionReason Reason { get; }

    /// <summary>True when <see cref="Outcome"/> is <see cref="DecisionOutcome.Connect"/>.</summary>
    public bool ShouldConnect => Outcome == DecisionOutcome.Connect;

    /// <summary>The validation report the decision was made from.</summary>
    public ValidationReport Report { get; }

    /// <summary>The decision in a sentence a person can read: the outcome, the server and the reason.</summary>
    public string Message => _message ??= DecisionText.Describe(this);

    /// <summary>An extra remark for <see cref="Message"/>, such as an approval that could not be remembered.</summary>
    internal string? Note { get; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
