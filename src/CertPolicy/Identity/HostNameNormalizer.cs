using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace CertPolicy;

/// <summary>
/// Turns the host names people write (in configuration, on a command line) into the one form the matcher
/// compares, or says in plain words why a name cannot name a server:
/// <list type="bullet">
/// <item>IPv4: only the canonical dotted quad (four decimal numbers 0–255, no leading zeros). "127.1", "017.0.0.1",
/// "0x7f.0.0.1" and "2130706433" are refused outright, neither IP nor DNS name: resolvers read them as (other)
/// addresses, so accepting them as DNS names would let a certificate's DNS name stand for an IP address.</item>
/// <item>IPv6: with or without brackets; written back in RFC 5952 form. Zone ids ("fe80::1%eth0") are refused.</item>
/// <item>DNS names: IDNA to ASCII (UTS #46, non-transitional, STD3 rules, via <see cref="IdnMapping"/>), the
/// ideographic and full-width full stops U+3002, U+FF0E and U+FF61 separate labels, one trailing dot is removed,
/// ASCII lower case; then letters, digits and hyphens only (no underscore), labels of 1–63 octets that neither
/// start nor end with a hyphen, at most 253 octets, and a last label that is not a number.</item>
/// </list>
/// </summary>
internal static class HostNameNormalizer
{
    /// <summary>The longest DNS name, in octets, without the trailing dot (RFC 1035: 255 on the wire).</summary>
    public const int MaxNameLength = 253;

    /// <summary>The longest DNS label, in octets.</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Longer input is refused before any IDNA work, which bounds the time one odd setting can cost.</summary>
    public const int MaxInputLength = 1024;

    private const string IPv4Advice =
        "Write an IPv4 address as four decimal numbers from 0 to 255 without leading zeros (for example 192.0.2.1); " +
        "short, octal and hexadecimal forms such as '127.1', '010.0.0.1' or '0x7f.0.0.1' are refused because resolvers read them as other addresses.";

    /// <summary>Normalises a host: a DNS name (Unicode or ASCII) or an IP address.</summary>
    /// <param name="host">The host as written; no port.</param>
    /// <param name="normalized">The normalised host: lower-case ASCII DNS name without trailing dot, or the address's canonical text.</param>
    /// <param name="address">The address, when the host is an IP address.</param>
    /// <param name="error">Why the host is refused, otherwise.</param>
    /// <returns>True when the host is valid.</returns>
    public static bool TryNormalize(string? host, [NotNullWhen(true)] out string? normalized, out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        address = null;
        if (host is null)
        {
            error = "No host name was given.";
            return false;
        }

        if (host.Length == 0)
        {
            error = "The host name is empty.";
            return false;
        }

        if (host.Length > MaxInputLength)
        {
            error = $"The host name is {host.Length} characters long; a DNS name has at most {MaxNameLength}.";
            return false;
        }

        error = FindForbiddenCharacter(host);
        if (error is not null)
        {
            return false;
        }

        if (host.Contains("://", StringComparison.Ordinal))
        {
            error = $"The host name {DisplayText.Quote(host)} looks like a URL; give only the host name or IP address, and the port separately.";
            return false;
        }

        if (host[0] == '[' || host[^1] == ']')
        {
            if (host.Length < 2 || host[0] != '[' || host[^1] != ']')
            {
                error = host[0] == '[' && host.IndexOf("]:", StringComparison.Ordinal) > 0
                    ? $"The host {DisplayText.Quote(host)} carries a port; give the port separately, or parse '[address]:port' with ServerIdentity.Parse."
                    : $"The host {DisplayText.Quote(host)} has an unmatched bracket; brackets enclose an IPv6 address, as in [2001:db8::1].";
                return false;
            }

            if (!TryParseIPv6Literal(host[1..^1], host, out address, out error))
            {
                return false;
            }
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            if (!TryParseIPv6Literal(host, host, out address, out error))
            {
                return false;
            }
        }
        else
        {
            Span<byte> octets = stackalloc byte[4];
            if (IPAddressText.TryParseDottedQuad(host, octets))
            {
                address = new IPAddress(octets);
            }
        }

        if (address is not null)
        {
            normalized = IPAddressText.Format(address);
            return true;
        }

        return TryNormalizeDnsName(host, out normalized, out error);
    }

    /// <summary>
    /// Splits "host", "host:port", "[IPv6]", "[IPv6]:port" or a bare IPv6 address (which never carries a port: write
    /// "[2001:db8::1]:443") into host and port. The host is not normalised here.
    /// </summary>
    /// <param name="value">The text.</param>
    /// <param name="defaultPort">The port when the text names none.</param>
    /// <param name="host">The host part (without brackets).</param>
    /// <param name="port">The port, 1 to 65535 when given in the text; otherwise <paramref name="defaultPort"/>.</param>
    /// <param name="error">Why the text cannot be split, otherwise.</param>
    /// <returns>True when the text has a host and, if any, a valid port.</returns>
    public static bool TrySplitHostAndPort(string? value, int defaultPort, [NotNullWhen(true)] out string? host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = null;
        port = defaultPort;
        if (string.IsNullOrEmpty(value))
        {
            error = "The server address is empty.";
            return false;
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            error = $"The server address {DisplayText.Quote(value)} looks like a URL; give only the host name or IP address and, optionally, ':port'.";
            return false;
        }

        string? portText = null;
        if (value[0] == '[')
        {
            int close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"The server address {DisplayText.Quote(value)} has '[' without a closing ']'.";
                return false;
            }

            host = value[1..close];
            if (!host.Contains(':', StringComparison.Ordinal))
            {
                error = $"The server address {DisplayText.Quote(value)} has brackets around something that is not an IPv6 address; brackets are only for IPv6 addresses, as in [2001:db8::1]:443.";
                host = null;
                return false;
            }

            ReadOnlySpan<char> rest = value.AsSpan(close + 1);
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"The server address {DisplayText.Quote(value)} has unexpected text after ']'; write [address] or [address]:port.";
                    host = null;
                    return false;
                }

                portText = rest[1..].ToString();
            }
        }
        else
        {
            int colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0 && value.IndexOf(':', colon + 1) < 0)
            {
                host = value[..colon];
                portText = value[(colon + 1)..];
                if (host.Length == 0)
                {
                    error = $"The server address {DisplayText.Quote(value)} has no host before the port.";
                    host = null;
                    return false;
                }
            }
            else
            {
                // No colon, or several: a bare IPv6 address, which has no port. The normaliser judges it.
                host = value;
            }
        }

        if (portText is not null && !TryParsePort(portText, value, out port, out error))
        {
            host = null;
            return false;
        }

        error = null;
        return true;
    }

    private static bool TryParsePort(string text, string value, out int port, [NotNullWhen(false)] out string? error)
    {
        port = 0;
        if (text.Length == 0)
        {
            error = $"The server address {DisplayText.Quote(value)} ends with ':' but names no port.";
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                error = $"{DisplayText.Quote(text)} is not a port number: a port is a decimal number from 1 to 65535.";
                return false;
            }
        }

        ReadOnlySpan<char> digits = text.AsSpan().TrimStart('0');
        if (digits.Length > 5 || (port = digits.IsEmpty ? 0 : int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture)) is < 1 or > 65535)
        {
            error = $"Port {(digits.Length > 5 ? text : port.ToString(CultureInfo.InvariantCulture))} is out of range: it must be between 1 and 65535.";
            port = 0;
            return false;
        }

        error = null;
        return true;
    }

    private static string? FindForbiddenCharacter(string host)
    {
        for (int i = 0; i < host.Length; i++)
        {
            char c = host[i];
            if (c == '\0')
            {
                return $"The host name {DisplayText.Quote(host)} contains a NUL character (position {i + 1}).";
            }

            if (char.IsControl(c))
            {
                return $"The host name {DisplayText.Quote(host)} contains the control character {DisplayText.CodePoint(c)} (position {i + 1}).";
            }

            if (char.IsWhiteSpace(c))
            {
                return $"The host name {DisplayText.Quote(host)} contains white space ({DisplayText.CodePoint(c)}, position {i + 1}); host names cannot contain spaces.";
            }
        }

        return null;
    }

    private static bool TryParseIPv6Literal(string text, string host, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        int percent = text.IndexOf('%', StringComparison.Ordinal);
        if (percent >= 0)
        {
            error = $"The host {DisplayText.Quote(host)} has an IPv6 zone id ({DisplayText.Quote(text[percent..])}). Zone ids are refused: " +
                "a certificate cannot name one, and only link-local addresses need one; give the server's DNS name or a global address.";
            return false;
        }

        if (IPAddressText.TryParseIPv6(text, out address))
        {
            error = null;
            return true;
        }

        int colons = text.AsSpan().Count(':');
        error = colons == 1 && host[0] != '['
            ? $"The host {DisplayText.Quote(host)} contains ':' but is not an IPv6 address. A DNS name cannot contain ':'; give the port separately, or parse 'host:port' with ServerIdentity.Parse."
            : $"The host {DisplayText.Quote(host)} is not a valid IPv6 address.";
        return false;
    }

    private static bool TryNormalizeDnsName(string host, [NotNullWhen(true)] out string? normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = null;
        string name = host.Replace('\u3002', '.').Replace('\uFF0E', '.').Replace('\uFF61', '.');
        if (name.AsSpan().IndexOfAnyExcept('.') < 0)
        {
            error = $"The host name {DisplayText.Quote(host)} has no labels: it is only dots.";
            return false;
        }

        // One trailing dot names the root: allowed, and removed.
        if (name[^1] == '.')
        {
            name = name[..^1];
        }

        error = FindEmptyLabel(name, host);
        if (error is not null)
        {
            return false;
        }

        bool mapped = !Ascii.IsValid(name);
        if (mapped)
        {
            if (!TryMapToAscii(name, host, out string? ascii, out error))
            {
                return false;
            }

            name = ascii;
        }

        name = name.ToLowerInvariant();
        error = ValidateAsciiName(name, host, mapped);
        if (error is not null)
        {
            return false;
        }

        normalized = name;
        return true;
    }

    private static string? FindEmptyLabel(string name, string host)
    {
        if (name[0] == '.')
        {
            return $"The host name {DisplayText.Quote(host)} starts with a dot: its first label is empty.";
        }

        if (name.Contains("..", StringComparison.Ordinal))
        {
            return $"The host name {DisplayText.Quote(host)} has an empty label (two dots in a row).";
        }

        return null;
    }

    private static bool TryMapToAscii(string name, string host, [NotNullWhen(true)] out string? ascii, [NotNullWhen(false)] out string? error)
    {
        var idna = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false };
        try
        {
            ascii = idna.GetAscii(name);
            error = null;
            return true;
        }
        catch (ArgumentException)
        {
            ascii = null;
        }

        // Say which label is wrong, and why when it can be told.
        var labels = new List<string>();
        foreach (string label in name.Split('.'))
        {
            if (Ascii.IsValid(label))
            {
                string lower = label.ToLowerInvariant();
                error = ValidateLabel(lower, host);
                if (error is not null)
                {
                    return false;
                }

                labels.Add(lower);
                continue;
            }

            try
            {
                labels.Add(idna.GetAscii(label).ToLowerInvariant());
            }
            catch (ArgumentException)
            {
                error = $"The label {DisplayText.Quote(label)} of the host name {DisplayText.Quote(host)} is not a valid internationalized label " +
                    "(IDNA, UTS #46): it holds a character host names may not use, or breaks a rule on joiners, combining marks or right-to-left text.";
                return false;
            }
        }

        // Every label is fine alone: the whole is too long, or breaks a rule that spans labels.
        error = ValidateAsciiName(string.Join('.', labels), host, mapped: true)
            ?? $"The host name {DisplayText.Quote(host)} is not a valid internationalized domain name (IDNA, UTS #46).";
        return false;
    }

    private static string? ValidateAsciiName(string name, string host, bool mapped)
    {
        string shown = mapped
            ? $"{DisplayText.Quote(host)} (in ASCII form {DisplayText.Quote(name)})"
            : DisplayText.Quote(host);
        if (name.Length > MaxNameLength)
        {
            return $"The host name {shown} is {name.Length} octets long; a DNS name has at most {MaxNameLength}.";
        }

        int lastLabelStart = 0;
        foreach (Range range in name.AsSpan().Split('.'))
        {
            string? problem = ValidateLabel(name[range], host);
            if (problem is not null)
            {
                return problem;
            }

            lastLabelStart = range.Start.GetOffset(name.Length);
        }

        if (IsNumber(name.AsSpan(lastLabelStart)))
        {
            return mapped
                ? $"The host name {shown} reads as an IP address once mapped to ASCII; write IP addresses in plain ASCII digits, as in 192.0.2.1."
                : $"The host name {shown} is neither a canonical IPv4 address nor a DNS name: its last label is a number. {IPv4Advice}";
        }

        return null;
    }

    /// <summary>Checks one lower-case ASCII label: 1–63 octets of letters, digits and hyphens, no hyphen at either end, a valid A-label when it starts with "xn--".</summary>
    private static string? ValidateLabel(string label, string host)
    {
        if (label.Length == 0)
        {
            return $"The host name {DisplayText.Quote(host)} has an empty label.";
        }

        for (int i = 0; i < label.Length; i++)
        {
            char c = label[i];
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            {
                continue;
            }

            return c switch
            {
                '_' => $"The host name {DisplayText.Quote(host)} contains an underscore. Host names hold only letters, digits and hyphens (RFC 1123), " +
                    "and a certificate's DNS names may not contain '_' either (RFC 5280), so no certificate could match it.",
                '*' => $"The host name {DisplayText.Quote(host)} contains '*'. Wildcards belong in certificates, not in the name of the server to reach.",
                _ => $"The host name {DisplayText.Quote(host)} contains {DisplayText.Quote(c.ToString())} ({DisplayText.CodePoint(c)}); host names hold only letters, digits, hyphens and dots.",
            };
        }

        if (label.Length > MaxLabelLength)
        {
            return $"The label {DisplayText.Quote(label)} of the host name {DisplayText.Quote(host)} is {label.Length} octets long; a label has at most {MaxLabelLength}.";
        }

        if (label[0] == '-' || label[^1] == '-')
        {
            return $"The label {DisplayText.Quote(label)} of the host name {DisplayText.Quote(host)} {(label[0] == '-' ? "starts" : "ends")} with a hyphen, which host names do not allow.";
        }

        if (label.StartsWith("xn--", StringComparison.Ordinal) && !IsValidALabel(label))
        {
            return $"The label {DisplayText.Quote(label)} of the host name {DisplayText.Quote(host)} starts with 'xn--' but is not a valid A-label (the ASCII form of an internationalized label).";
        }

        return null;
    }

    private static bool IsValidALabel(string label)
    {
        var idna = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false };
        try
        {
            string unicode = idna.GetUnicode(label);
            return !Ascii.IsValid(unicode) && string.Equals(idna.GetAscii(unicode), label, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>True for a label resolvers and URL parsers read as a number: decimal digits, or "0x" and hex digits.</summary>
    internal static bool IsNumber(ReadOnlySpan<char> label)
    {
        bool hex = label.Length >= 2 && label[0] == '0' && (label[1] is 'x' or 'X');
        if (hex)
        {
            label = label[2..];
        }
        else if (label.IsEmpty)
        {
            return false;
        }

        foreach (char c in label)
        {
            if (!(hex ? char.IsAsciiHexDigit(c) : char.IsAsciiDigit(c)))
            {
                return false;
            }
        }

        return true;
    }
}
