namespace CertPolicy;

/// <summary>
/// Which certificate-profile rules a trust store's anchors must meet themselves. Whatever the profile, an anchor is
/// trusted for its name and key (RFC 5280 6.1.1 (d)) and the constraints it carries are kept: its validity period, its
/// name constraints and its pathLenConstraint. See docs/design.md for the table of rules.
/// </summary>
public enum TrustAnchorProfile
{
    /// <summary>
    /// The anchor's certificate must also meet the CA certificate profile (RFC 5280 4.2, CA/Browser Forum BR 7.1.2.1):
    /// basicConstraints with cA (critical), keyUsage with keyCertSign when present, a subjectKeyIdentifier, no
    /// extendedKeyUsage in a root, no unknown critical extension, and so on. The default for stores an administrator
    /// configures (PEM file or directory, certificates in memory).
    /// </summary>
    Strict = 0,

    /// <summary>
    /// The anchor is trusted by its name and key as RFC 5280 6.1.1 (d) defines a trust anchor; of its certificate only
    /// the validity period, name constraints and pathLenConstraint apply, and an extension that cannot be read or a
    /// critical one that is not understood still refuses it (it might constrain). The profile of
    /// <see cref="TrustStore.System"/>, whose vendor curated it.
    /// </summary>
    NameAndKey = 1,
}
