namespace CertPolicy;

/// <summary>
/// The oldest TLS version an endpoint profile lets a handshake use (<see cref="EndpointProfileOptions.MinimumTlsVersion"/>).
/// </summary>
public enum TlsVersionFloor
{
    /// <summary>Whatever the platform and the caller's options negotiate (the default; today TLS 1.2 or 1.3 on current systems).</summary>
    Platform = 0,

    /// <summary>TLS 1.2 or newer.</summary>
    Tls12 = 1,

    /// <summary>TLS 1.3 only.</summary>
    Tls13 = 2,
}
