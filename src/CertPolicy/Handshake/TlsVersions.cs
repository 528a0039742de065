using System.Net.Security;
using System.Security.Authentication;

namespace CertPolicy;

/// <summary>The rule of <see cref="TlsVersionFloor"/>: which protocols a floor lets a client offer, and whether a negotiated one meets it.</summary>
internal static class TlsVersions
{
    /// <summary>
    /// Narrows the protocols of options this policy owns (a copy) to the floor: the caller's choice, or the platform's
    /// when it made none, without the versions below the floor.
    /// </summary>
    /// <exception cref="ArgumentException">The caller's options enable no version at or above the floor.</exception>
    public static void Apply(SslClientAuthenticationOptions options, TlsVersionFloor floor)
    {
        SslProtocols allowed = Allowed(floor);
        if (allowed == SslProtocols.None)
        {
            return;
        }

        SslProtocols chosen = options.EnabledSslProtocols == SslProtocols.None ? allowed : options.EnabledSslProtocols & allowed;
        if (chosen == SslProtocols.None)
        {
            throw new ArgumentException(
                $"The client options enable only {options.EnabledSslProtocols}, and the endpoint profile requires {FloorText(floor)} (MinimumTlsVersion: {floor}): no handshake could succeed.",
                nameof(options));
        }

        options.EnabledSslProtocols = chosen;
    }

    /// <summary>True when <paramref name="negotiated"/> is at or above the floor; a version the platform did not report (None) is judged by the protocols offered, so it passes.</summary>
    public static bool Meets(SslProtocols negotiated, TlsVersionFloor floor)
    {
        SslProtocols allowed = Allowed(floor);
        return negotiated == SslProtocols.None || allowed == SslProtocols.None || (negotiated & allowed) == negotiated;
    }

    /// <summary>"TLS 1.3" for the floor's version and newer, in words.</summary>
    public static string FloorText(TlsVersionFloor floor) => floor switch
    {
        TlsVersionFloor.Tls12 => "TLS 1.2 or newer",
        TlsVersionFloor.Tls13 => "TLS 1.3",
        _ => "the platform's TLS versions",
    };

    /// <summary>"TLS 1.2" for a negotiated protocol.</summary>
    public static string Name(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls12 => "TLS 1.2",
        SslProtocols.Tls13 => "TLS 1.3",
        _ => $"an older protocol ({protocol})",
    };

    private static SslProtocols Allowed(TlsVersionFloor floor) => floor switch
    {
        TlsVersionFloor.Tls12 => SslProtocols.Tls12 | SslProtocols.Tls13,
        TlsVersionFloor.Tls13 => SslProtocols.Tls13,
        _ => SslProtocols.None,
    };
}
