using CertPolicy.Cli.Certificates;

namespace CertPolicy.Cli.Judging;

/// <summary>Everything the tool found about one certificate chain: the report, what every agent would do, and warnings.</summary>
internal sealed class Judgement
{
    public Judgement(
        ValidationReport report,
        CertificateSummary? leaf,
        CertificateDetails? details,
        IReadOnlyList<AgentOutcome> outcomes,
        AgentProfile profile,
        string? approvalsFile,
        IReadOnlyList<string> warnings,
        IReadOnlyList<string> notes)
    {
        Report = report;
        Leaf = leaf;
        Details = details;
        Outcomes = outcomes;
        Profile = profile;
        ApprovalsFile = approvalsFile;
        Warnings = warnings;
        Notes = notes;
    }

    /// <summary>
    /// For check: why the profile's agents refuse the server before judging its certificate (it negotiated a TLS
    /// version below the profile's <c>MinimumTlsVersion</c>); null when they do not. Also listed in <see cref="Warnings"/>.
    /// </summary>
    public string? TlsVersionRefusal { get; init; }

    /// <summary>CertPolicy's report, computed by the profile's validator (the legacy verdict beside the modern one when an expected subject is known).</summary>
    public ValidationReport Report { get; }

    /// <summary>The leaf: the report's summary, or .NET's when CertPolicy could not decode it; null when there is none.</summary>
    public CertificateSummary? Leaf { get; }

    /// <summary>What a certificate tool shows about the leaf: key, signature, usages, AIA and CRL distribution points.</summary>
    public CertificateDetails? Details { get; }

    /// <summary>What agents would do: modern, then legacy (when judged), each under Allow, Warn and Deny.</summary>
    public IReadOnlyList<AgentOutcome> Outcomes { get; }

    /// <summary>The profile judged with.</summary>
    public AgentProfile Profile { get; }

    /// <summary>The approvals file consulted, or null when none was.</summary>
    public string? ApprovalsFile { get; }

    /// <summary>The trust store the path was built to, in words.</summary>
    public string TrustDescription => Profile.TrustDescription;

    /// <summary>The subject common name legacy agents expect, when the legacy verdict was computed.</summary>
    public string? ExpectedSubject => Profile.Validator.ExpectedSubject;

    /// <summary>Things to act on soon, such as a certificate that expires within 30 days.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Remarks about how the judgement was made.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>True when the verdict of the profile's mode (modern by default) found no problem.</summary>
    public bool IsValid => Report.IsValid;

    /// <summary>This judgement with <paramref name="refusal"/> as <see cref="TlsVersionRefusal"/>, first among the warnings.</summary>
    public Judgement WithTlsVersionRefusal(string refusal) =>
        new(Report, Leaf, Details, Outcomes, Profile, ApprovalsFile, [refusal, .. Warnings], Notes) { TlsVersionRefusal = refusal };

    /// <summary>The outcome of agents of <paramref name="generation"/> under <paramref name="action"/>; null when not judged.</summary>
    public AgentOutcome? Find(AgentGeneration generation, InvalidCertificateAction action) =>
        Outcomes.FirstOrDefault(o => o.Generation == generation && o.Action == action);

    /// <summary>
    /// The exit code: without --fail-on, <see cref="ExitCodes.Valid"/> or <see cref="ExitCodes.Invalid"/> by the
    /// verdict; with it, <see cref="ExitCodes.AgentsWouldNotConnect"/> when some agent of the generation(s) named would
    /// not connect silently (under the profile's action when a profile file was given, else under any action).
    /// </summary>
    public int ExitCode(FailOn failOn)
    {
        if (failOn == FailOn.Verdict)
        {
            return IsValid ? ExitCodes.Valid : ExitCodes.Invalid;
        }

        if (TlsVersionRefusal is not null)
        {
            // The profile's agents refuse the handshake before any certificate is judged.
            return ExitCodes.AgentsWouldNotConnect;
        }

        bool fails = Outcomes.Any(o =>
            (failOn == FailOn.Any || (failOn == FailOn.Modern) == (o.Generation == AgentGeneration.Modern))
            && (!Profile.FromFile || o.Action == Profile.Action)
            && !o.ConnectsSilently);
        return fails ? ExitCodes.AgentsWouldNotConnect : ExitCodes.Valid;
    }
}
