using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace CertPolicy;

/// <summary>
/// The server an agent means to reach: a DNS name or an IP address, and a port. The host is normalised when the
/// identity is created (IDNA to ASCII, Unicode dots to dots, no trailing dot, lower case; IP addresses in canonical
/// form), so two identities that name the same server compare equal. Odd names are refused with a reason rather than
/// guessed at: empty labels, labels over 63 or names over 253 octets, control characters, spaces, underscores,
/// hyphens at label edges, IPv4 addresses in any form but the dotted quad ("127.1", "010.0.0.1" and "0x7f.0.0.1"
/// are refused, neither address nor name), and IPv6 zone ids.
/// </summary>
public sealed class ServerIdentity : IEquatable<ServerIdentity>
{
    private ServerIdentity(string host, int port, IPAddress? address)
    {
        Host = host;
        Port = port;
        IPAddress = address;
    }

    /// <summary>
    /// The normalised host: a lower-case ASCII DNS name (internationalized labels as A-labels, "xn--...") without
    /// trailing dot, or an IP address in its canonical text form (dotted quad; RFC 5952 for IPv6, without brackets).
    /// </summary>
    public string Host { get; }

    /// <summary>The TCP port, 1 to 65535.</summary>
    public int Port { get; }

    /// <summary>The IP address, when the host is one; null for a DNS name.</summary>
    public IPAddress? IPAddress { get; }

    /// <summary>True when the host is an IP address.</summary>
    [MemberNotNullWhen(true, nameof(IPAddress))]
    public bool IsIPAddress => IPAddress is not null;

    /// <summary>Creates an identity from a host (DNS name or IP address) and a port.</summary>
    /// <param name="host">A DNS name (Unicode or ASCII, one trailing dot allowed) or an IPv4 or IPv6 address (IPv6 with or without brackets); no port.</param>
    /// <param name="port">The TCP port, 1 to 65535.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="ArgumentException">The host is not a valid DNS name or IP address, or the port is out of range; the message says why.</exception>
    public static ServerIdentity Create(string host, int port = 443)
    {
        ArgumentNullException.ThrowIfNull(host);
        return TryCreate(host, port, out ServerIdentity? identity, out string? error)
            ? identity
            : throw new ArgumentException(error, nameof(host));
    }

    /// <summary>Creates an identity from a host and a port, or says why it cannot.</summary>
    /// <param name="host">A DNS name (Unicode or ASCII, one trailing dot allowed) or an IPv4 or IPv6 address (IPv6 with or without brackets); no port.</param>
    /// <param name="port">The TCP port, 1 to 65535.</param>
    /// <param name="identity">The identity, when the host and port are valid.</param>
    /// <param name="error">Why they are not, otherwise.</param>
    /// <returns>True when the identity was created.</returns>
    public static bool TryCreate(string? host, int port, [NotNullWhen(true)] out ServerIdentity? identity, [NotNullWhen(false)] out string? error)
    {
        identity = null;
        if (port is < 1 or > 65535)
        {
            error = $"Port {port} is out of range: it must be between 1 and 65535.";
            return false;
        }

        if (!HostNameNormalizer.TryNormalize(host, out string? normalized, out IPAddress? address, out error))
        {
            return false;
        }

        identity = new ServerIdentity(normalized, port, address);
        return true;
    }

    /// <summary>
    /// Parses "host", "host:port", "[IPv6]" or "[IPv6]:port". A bare IPv6 address ("2001:db8::1") is read as an
    /// address without port; write "[2001:db8::1]:443" to give one.
    /// </summary>
    /// <param name="value">The text to parse.</param>
    /// <param name="defaultPort">The port when the text names none.</param>
    /// <returns>The identity.</returns>
    /// <exception cref="FormatException">The text is not a valid host and port; the message says why.</exception>
    public static ServerIdentity Parse(string value, int defaultPort = 443)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, defaultPort, out ServerIdentity? identity, out string? error)
            ? identity
            : throw new FormatException(error);
    }

    /// <summary>Parses "host", "host:port", "[IPv6]" or "[IPv6]:port" (a bare IPv6 address has no port), or says why it cannot.</summary>
    /// <param name="value">The text to parse.</param>
    /// <param name="defaultPort">The port when the text names none.</param>
    /// <param name="identity">The identity, when the text is valid.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    /// <returns>True when the identity was parsed.</returns>
    public static bool TryParse(string? value, int defaultPort, [NotNullWhen(true)] out ServerIdentity? identity, [NotNullWhen(false)] out string? error)
    {
        identity = null;
        if (!HostNameNormalizer.TrySplitHostAndPort(value, defaultPort, out string? host, out int port, out error))
        {
            return false;
        }

        return TryCreate(host, port, out identity, out error);
    }

    /// <inheritdoc/>
    public bool Equals(ServerIdentity? other) =>
        other is not null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ServerIdentity);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Host), Port);

    /// <summary>"host:port", with an IPv6 address in brackets.</summary>
    /// <returns>The identity as text.</returns>
    public override string ToString() =>
        IPAddress is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
