namespace CertPolicy;

/// <summary>Which verdict decides whether a certificate is valid for an endpoint profile.</summary>
public enum ValidationMode
{
    /// <summary>Host name or IP address, validity period and a path to a trusted root (the default).</summary>
    Modern = 0,

    /// <summary>
    /// What older agents did: the leaf's subject common name equals an expected value, and nothing else is checked.
    /// Opt-in only; the modern verdict is still computed and reported beside it.
    /// </summary>
    Legacy = 1,

    /// <summary>
    /// The migration mode: the connection is decided exactly as in <see cref="Legacy"/> mode (the legacy verdict and the
    /// profile's action), so nothing that worked for an old agent breaks, while the decision the action would take under
    /// modern validation is computed, logged and counted, and carried on <see cref="CertificateDecision.MigrationPreview"/>.
    /// Never asks anyone, and never stores an approval or a pending question, for that would-be decision. Requires an
    /// expected subject, as <see cref="Legacy"/> does.
    /// </summary>
    ReportOnly = 2,
}
