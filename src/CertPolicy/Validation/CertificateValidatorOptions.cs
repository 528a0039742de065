using System.Globalization;

namespace CertPolicy;

/// <summary>
/// Settings of a <see cref="CertificateValidator"/>. The validator copies them when it is created, so later
/// changes to this object do not affect it.
/// </summary>
public sealed class CertificateValidatorOptions
{
    /// <summary>The object identifier of the serverAuth extended key usage (1.3.6.1.5.5.7.3.1).</summary>
    public const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>The object identifier of the clientAuth extended key usage (1.3.6.1.5.5.7.3.2).</summary>
    public const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    // The defaults and limits of the settings below, in one place: endpoint profiles declare theirs with these.
    internal const int DefaultMaxChainDepth = 8;
    internal const int MaxChainDepthLimit = 32;
    internal const int DefaultMaxSignatureChecks = 100;
    internal const int MaxSignatureChecksLimit = 10_000;
    internal const string ClockSkewLimit = "1.00:00:00";

    /// <summary>The trust anchors the path must end in. Default: the operating system's roots.</summary>
    public TrustStore TrustStore { get; set; } = TrustStore.System;

    /// <summary>Which verdict decides validity. Default: <see cref="ValidationMode.Modern"/>.</summary>
    public ValidationMode Mode { get; set; } = ValidationMode.Modern;

    /// <summary>
    /// The subject common name legacy agents expect. Required in legacy and report-only mode; in modern mode, when set,
    /// the legacy verdict is computed and reported beside the modern one.
    /// </summary>
    public string? ExpectedSubject { get; set; }

    /// <summary>
    /// Opt-in, off by default: accept a server DNS name found only in the subject common name when the certificate has
    /// no subjectAltName extension at all (as some older products do; RFC 9525 and browsers never do). Never for an IP
    /// address, never for a common name with a wildcard or that is not a well-formed DNS name, never when the
    /// certificate has a subjectAltName of any content, and never with several common names. An accepted name is
    /// reported as the notice <see cref="CertificateProblemKinds.NameOnlyInCommonName"/> in
    /// <see cref="ValidationVerdict.Notices"/>; every other check applies unchanged.
    /// </summary>
    public bool AcceptCommonNameWithoutSubjectAltName { get; set; }

    /// <summary>How far the clock may be off when validity periods are checked. Default: none. At most one day.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// The most intermediate certificates a path may have between the leaf and the trust anchor. Default: 8.
    /// Self-issued intermediates (a CA re-certifying itself, as in a key rollover) are not counted, as RFC 5280 counts
    /// path lengths; a path may hold at most 8 of them beyond this limit.
    /// </summary>
    public int MaxChainDepth { get; set; } = DefaultMaxChainDepth;

    /// <summary>
    /// The work budget of path building: the most signatures checked in one validation. When it runs out the
    /// validation fails with <see cref="CertificateProblemKinds.WorkBudgetExceeded"/>. Default: 100. The budget also
    /// bounds the candidate issuers considered (8 per signature check) and the name-constraint comparisons made.
    /// </summary>
    public int MaxSignatureChecks { get; set; } = DefaultMaxSignatureChecks;

    /// <summary>The extended key usage the leaf must allow. Default: serverAuth (<see cref="ServerAuthenticationOid"/>).</summary>
    public string RequiredExtendedKeyUsage { get; set; } = ServerAuthenticationOid;

    /// <summary>
    /// Certificate revocation lists (DER) to check the path against. Default: none, and no revocation checking.
    /// Nothing is ever fetched from the network.
    /// </summary>
    public IList<ReadOnlyMemory<byte>> RevocationLists { get; } = [];

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        if (TrustStore is null)
        {
            throw new ArgumentException("TrustStore must be set.", nameof(TrustStore));
        }

        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"Mode '{Mode}' is not a validation mode.", nameof(Mode));
        }

        if (Mode is ValidationMode.Legacy or ValidationMode.ReportOnly && string.IsNullOrWhiteSpace(ExpectedSubject))
        {
            throw new ArgumentException($"ExpectedSubject must be set in {(Mode == ValidationMode.Legacy ? "legacy" : "report-only")} mode.", nameof(ExpectedSubject));
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.Parse(ClockSkewLimit, CultureInfo.InvariantCulture))
        {
            throw new ArgumentException($"ClockSkew must be between 0 and 1 day; it is {ClockSkew}.", nameof(ClockSkew));
        }

        if (MaxChainDepth is < 0 or > MaxChainDepthLimit)
        {
            throw new ArgumentException($"MaxChainDepth must be between 0 and {MaxChainDepthLimit}; it is {MaxChainDepth}.", nameof(MaxChainDepth));
        }

        if (MaxSignatureChecks is < 1 or > MaxSignatureChecksLimit)
        {
            throw new ArgumentException($"MaxSignatureChecks must be between 1 and {MaxSignatureChecksLimit}; it is {MaxSignatureChecks}.", nameof(MaxSignatureChecks));
        }

        if (string.IsNullOrWhiteSpace(RequiredExtendedKeyUsage))
        {
            throw new ArgumentException("RequiredExtendedKeyUsage must be an object identifier.", nameof(RequiredExtendedKeyUsage));
        }
    }
}
