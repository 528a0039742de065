using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace CertPolicy;

/// <summary>Turns the host names users write into the one form the matcher compares. (Stub: to be completed by the identity work.)</summary>
internal static class HostNameNormalizer
{
    public static bool TryNormalize(string? host, [NotNullWhen(true)] out string? normalized, out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        address = null;
        if (string.IsNullOrEmpty(host))
        {
            error = "The host name is empty.";
            return false;
        }

        if (IPAddress.TryParse(host, out IPAddress? ip))
        {
            address = ip;
            normalized = ip.ToString();
            error = null;
            return true;
        }

        normalized = host.TrimEnd('.').ToLowerInvariant();
        error = null;
        return true;
    }

    public static bool TrySplitHostAndPort(string? value, int defaultPort, [NotNullWhen(true)] out string? host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = null;
        port = defaultPort;
        if (string.IsNullOrEmpty(value))
        {
            error = "The server is empty.";
            return false;
        }

        int colon = value.LastIndexOf(':');
        if (colon > 0 && value.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            host = value[..colon];
            if (!int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                error = $"'{value[(colon + 1)..]}' is not a port number.";
                return false;
            }
        }
        else
        {
            host = value;
        }

        error = null;
        return true;
    }
}
