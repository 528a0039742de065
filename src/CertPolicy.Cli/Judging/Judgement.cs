namespace CertPolicy.Cli.Judging;

/// <summary>Everything the tool found about one certificate chain: the report, the action previews, and warnings.</summary>
internal sealed class Judgement
{
    public Judgement(
        ValidationReport report,
        CertificateSummary? leaf,
        IReadOnlyList<ActionPreview> actions,
        string? approvalsFile,
        string trustDescription,
        string? expectedSubject,
        IReadOnlyList<string> warnings,
        IReadOnlyList<string> notes)
    {
        Report = report;
        Leaf = leaf;
        Actions = actions;
        ApprovalsFile = approvalsFile;
        TrustDescription = trustDescription;
        ExpectedSubject = expectedSubject;
        Warnings = warnings;
        Notes = notes;
    }

    /// <summary>CertPolicy's report, computed in modern mode (the legacy verdict beside it when an expected subject was given).</summary>
    public ValidationReport Report { get; }

    /// <summary>The leaf: the report's summary, or .NET's when CertPolicy could not decode it; null when the server sent none.</summary>
    public CertificateSummary? Leaf { get; }

    /// <summary>What Allow, Warn and Deny profiles would do, in that order.</summary>
    public IReadOnlyList<ActionPreview> Actions { get; }

    /// <summary>The approvals file consulted, or null when none was.</summary>
    public string? ApprovalsFile { get; }

    /// <summary>The trust store the path was built to, in words.</summary>
    public string TrustDescription { get; }

    /// <summary>The subject common name legacy agents expect, when the legacy verdict was computed.</summary>
    public string? ExpectedSubject { get; }

    /// <summary>Things to act on soon, such as a certificate that expires within 30 days.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Remarks about how the judgement was made.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>True when the modern verdict found no problem: what decides the exit code.</summary>
    public bool IsValid => Report.Modern.IsValid;

    /// <summary><see cref="ExitCodes.Valid"/> or <see cref="ExitCodes.Invalid"/>.</summary>
    public int ExitCode => IsValid ? ExitCodes.Valid : ExitCodes.Invalid;
}
