using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CertPolicy;

/// <summary>
/// The one textual form of IP addresses this library accepts and writes. Parsing is stricter than
/// <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>, which also reads "127.1", "0x7f.0.0.1", "017.0.0.1"
/// (octal: 15.0.0.1), "2130706433", brackets, ports and zone ids; writing follows RFC 5952.
/// </summary>
internal static class IPAddressText
{
    /// <summary>Reads an IPv4 address written as a canonical dotted quad: four decimal numbers 0–255 without leading zeros.</summary>
    /// <param name="text">The text.</param>
    /// <param name="octets">Receives the four octets; at least 4 bytes long.</param>
    /// <returns>True when the text is a canonical dotted quad.</returns>
    public static bool TryParseDottedQuad(ReadOnlySpan<char> text, Span<byte> octets)
    {
        if (octets.Length < 4 || text.Length is < 7 or > 15)
        {
            return false;
        }

        int index = 0;
        for (int part = 0; part < 4; part++)
        {
            if (part > 0)
            {
                if (index >= text.Length || text[index] != '.')
                {
                    return false;
                }

                index++;
            }

            int start = index;
            int value = 0;
            while (index < text.Length && char.IsAsciiDigit(text[index]) && index - start < 3)
            {
                value = (value * 10) + (text[index] - '0');
                index++;
            }

            int digits = index - start;
            if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0'))
            {
                return false;
            }

            octets[part] = (byte)value;
        }

        return index == text.Length;
    }

    /// <summary>
    /// Reads an IPv6 address: hexadecimal groups of at most four digits, "::" at most once, an optional canonical
    /// dotted quad as the last 32 bits. No brackets, no zone id, no prefix length.
    /// </summary>
    /// <param name="text">The text, without brackets.</param>
    /// <param name="address">The address, when the text is one.</param>
    /// <returns>True when the text is an IPv6 address in that form.</returns>
    public static bool TryParseIPv6(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Length is < 2 or > 45 || text.Contains('%', StringComparison.Ordinal))
        {
            return false;
        }

        int groupLength = 0;
        int lastColon = -1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == ':')
            {
                groupLength = 0;
                lastColon = i;
            }
            else if (c == '.')
            {
                groupLength = 0;
            }
            else if (char.IsAsciiHexDigit(c))
            {
                if (++groupLength > 4)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }
        }

        if (lastColon < 0)
        {
            return false;
        }

        ReadOnlySpan<char> tail = text.AsSpan(lastColon + 1);
        Span<byte> quad = stackalloc byte[4];
        if (tail.Contains('.') && !TryParseDottedQuad(tail, quad))
        {
            return false;
        }

        if (text.AsSpan(0, lastColon).Contains('.'))
        {
            return false;
        }

        if (!IPAddress.TryParse(text, out IPAddress? parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6 || parsed.ScopeId != 0)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>
    /// The canonical text of an address: a dotted quad for IPv4; for IPv6 the RFC 5952 form (lower case, no leading
    /// zeros, the longest run of two or more zero groups as "::", the first on a tie), with a dotted quad only for
    /// IPv4-mapped addresses (::ffff:a.b.c.d).
    /// </summary>
    /// <param name="address">The address.</param>
    /// <returns>Its canonical text.</returns>
    public static string Format(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out int written))
        {
            throw new ArgumentException("The address has more than 16 bytes.", nameof(address));
        }

        return Format(bytes[..written]) ?? throw new ArgumentException("The address is neither IPv4 nor IPv6.", nameof(address));
    }

    /// <summary>The canonical text of a raw address: 4 bytes (IPv4) or 16 bytes (IPv6); null for any other length.</summary>
    /// <param name="bytes">The address bytes, network order.</param>
    /// <returns>Its canonical text, or null.</returns>
    public static string? Format(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 4)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes[0]}.{bytes[1]}.{bytes[2]}.{bytes[3]}");
        }

        if (bytes.Length != 16)
        {
            return null;
        }

        if (bytes[..10].IndexOfAnyExcept((byte)0) < 0 && bytes[10] == 0xFF && bytes[11] == 0xFF)
        {
            return string.Create(CultureInfo.InvariantCulture, $"::ffff:{bytes[12]}.{bytes[13]}.{bytes[14]}.{bytes[15]}");
        }

        Span<ushort> groups = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = (ushort)((bytes[2 * i] << 8) | bytes[(2 * i) + 1]);
        }

        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            int start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        var text = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.Append("::");
                i += bestLength - 1;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
            {
                text.Append(':');
            }

            text.Append(groups[i].ToString("x", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
