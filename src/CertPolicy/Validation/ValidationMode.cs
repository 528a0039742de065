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
}
