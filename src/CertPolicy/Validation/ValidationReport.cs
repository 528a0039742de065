namespace CertPolicy;

/// <summary>
/// The outcome of validating a peer's certificates: the modern verdict, the legacy verdict beside it when an
/// expected subject is configured, which of them decides, and what the leaf is. Only a
/// <see cref="CertificateValidator"/> makes one.
/// </summary>
public sealed class ValidationReport
{
    /// <summary>Creates a report.</summary>
    /// <param name="mode">Which verdict decides <see cref="IsValid"/>.</param>
    /// <param name="identity">The identity the agent expected; null when the identity was deliberately not checked.</param>
    /// <param name="modern">The modern verdict.</param>
    /// <param name="legacy">The legacy verdict; required in legacy mode, null when no expected subject is configured.</param>
    /// <param name="certificate">The leaf, when it could be decoded.</param>
    /// <param name="path">The certificates of the path that was judged, leaf first; empty when none was found.</param>
    /// <param name="validatedAt">The clock's time the validation used.</param>
    internal ValidationReport(
        ValidationMode mode,
        ServerIdentity? identity,
        ValidationVerdict modern,
        ValidationVerdict? legacy,
        CertificateSummary? certificate,
        IReadOnlyList<CertificateSummary> path,
        DateTimeOffset validatedAt)
    {
        ArgumentNullException.ThrowIfNull(modern);
        ArgumentNullException.ThrowIfNull(path);
        if (mode is ValidationMode.Legacy or ValidationMode.ReportOnly && legacy is null)
        {
            throw new ArgumentException($"A {mode} report needs a legacy verdict.", nameof(legacy));
        }

        Mode = mode;
        Identity = identity;
        Modern = modern;
        Legacy = legacy;
        Certificate = certificate;
        Path = path;
        ValidatedAt = validatedAt;
    }

    /// <summary>Which verdict decides <see cref="IsValid"/>.</summary>
    public ValidationMode Mode { get; }

    /// <summary>The identity the agent expected; null when the identity was deliberately not checked.</summary>
    public ServerIdentity? Identity { get; }

    /// <summary>True when the verdict of <see cref="Mode"/> found no problem.</summary>
    public bool IsValid => Verdict.IsValid;

    /// <summary>
    /// The verdict of <see cref="Mode"/>: the legacy verdict in <see cref="ValidationMode.Legacy"/> and
    /// <see cref="ValidationMode.ReportOnly"/> mode (which connects as legacy agents do), the modern one otherwise.
    /// </summary>
    public ValidationVerdict Verdict => DecidedByLegacyRule ? Legacy! : Modern;

    /// <summary>True when the legacy verdict decides: <see cref="ValidationMode.Legacy"/> and <see cref="ValidationMode.ReportOnly"/>.</summary>
    internal bool DecidedByLegacyRule => Mode is ValidationMode.Legacy or ValidationMode.ReportOnly;

    /// <summary>The modern verdict: name, validity and path to a trusted root. Always computed.</summary>
    public ValidationVerdict Modern { get; }

    /// <summary>The legacy verdict (subject common name only), or null when no expected subject is configured.</summary>
    public ValidationVerdict? Legacy { get; }

    /// <summary>The leaf, when it could be decoded.</summary>
    public CertificateSummary? Certificate { get; }

    /// <summary>The certificates of the path that was judged, leaf first; empty when none was found.</summary>
    public IReadOnlyList<CertificateSummary> Path { get; }

    /// <summary>The clock's time the validation used.</summary>
    public DateTimeOffset ValidatedAt { get; }

    /// <summary>
    /// The instants at which the same validation would give the same verdict, computed from the one clock read the
    /// validation used: between the validity boundaries (allowing for skew, in whole seconds) of every certificate it
    /// looked at and of every supplied revocation list. Empty for a report not made by a validator.
    /// </summary>
    internal InstantInterval HoldsDuring { get; init; }

    /// <summary>The trust anchors the validation built paths to; null for a report not made by a validator.</summary>
    internal TrustAnchors? Anchors { get; init; }

    /// <summary>
    /// Lets the parsed certificates of the leaf and path go, for a report kept long after its decision (the
    /// handshake cache): only the decision taken on the report needs them.
    /// </summary>
    internal void ReleaseParsedCertificates()
    {
        Certificate?.ReleaseParsed();
        foreach (CertificateSummary certificate in Path)
        {
            certificate.ReleaseParsed();
        }
    }
}
