using System.Security.Authentication;

namespace CertPolicy;

/// <summary>
/// A handshake refused because the server does not speak a TLS version the endpoint profile accepts
/// (<see cref="EndpointProfileOptions.MinimumTlsVersion"/>): either the handshake completed at an older version
/// (<see cref="NegotiatedProtocol"/> says which) and the connection was closed before any application data, or the
/// handshake failed before the server sent a certificate while the client offered only the versions at or above the
/// floor (the server most likely supports only older ones; the platform's error is the inner exception). An
/// <see cref="AuthenticationException"/>, so code that handles handshake failures keeps working; on the HTTP path it
/// is the inner exception of the request's <see cref="HttpRequestException"/> (see <see cref="Find"/>). Retrying
/// cannot mend it.
/// </summary>
#pragma warning disable CA1032 // Only CertPolicy raises it, always with the server and the floor: no constructors without them.
public sealed class TlsVersionRejectedException : AuthenticationException
#pragma warning restore CA1032
{
    internal TlsVersionRejectedException(string profileName, ServerIdentity server, TlsVersionFloor minimum, SslProtocols? negotiated, Exception? innerException)
        : base(Describe(profileName, server, minimum, negotiated, innerException), innerException)
    {
        ProfileName = profileName;
        Server = server;
        MinimumTlsVersion = minimum;
        NegotiatedProtocol = negotiated;
    }

    /// <summary>The endpoint profile whose floor refused the server.</summary>
    public string ProfileName { get; }

    /// <summary>The server the agent meant to reach.</summary>
    public ServerIdentity Server { get; }

    /// <summary>The profile's floor.</summary>
    public TlsVersionFloor MinimumTlsVersion { get; }

    /// <summary>The version the handshake completed with, older than the floor; null when the handshake failed (the server offered no version the client did).</summary>
    public SslProtocols? NegotiatedProtocol { get; }

    /// <summary>The TLS version refusal in <paramref name="exception"/> or its chain of inner exceptions (as far as 16 deep), or null.</summary>
    /// <param name="exception">An exception from a handshake or a request; null gives null.</param>
    /// <returns>The refusal, or null.</returns>
    public static TlsVersionRejectedException? Find(Exception? exception) => ExceptionChain.Find<TlsVersionRejectedException>(exception);

    private static string Describe(string profileName, ServerIdentity server, TlsVersionFloor minimum, SslProtocols? negotiated, Exception? innerException)
    {
        string floor = TlsVersions.FloorText(minimum);
        return negotiated is { } version
            ? $"Refused {server}: the server negotiated {TlsVersions.Name(version)}, the newest version it offered, and endpoint profile '{profileName}' requires {floor} (MinimumTlsVersion: {minimum}). Enable a newer TLS version on the server, or lower the profile's MinimumTlsVersion. No application data was exchanged."
            : $"The TLS handshake with {server} failed before the server sent its certificate, and endpoint profile '{profileName}' offered only {floor} (MinimumTlsVersion: {minimum}): the server most likely supports only older TLS versions. Enable a newer TLS version on the server, or lower the profile's MinimumTlsVersion. Platform error: {innerException?.Message ?? "(none)"}";
    }
}
