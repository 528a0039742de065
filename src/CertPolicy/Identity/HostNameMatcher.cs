using System.Globalization;
using System.Text;

namespace CertPolicy;

/// <summary>The outcome of matching an identity against a certificate's subject alternative names, with the reason in plain words.</summary>
internal sealed class HostNameMatch
{
    private HostNameMatch(bool isMatch, string? matchedName, string reason)
    {
        IsMatch = isMatch;
        MatchedName = matchedName;
        Reason = reason;
    }

    /// <summary>True when an entry names the host.</summary>
    public bool IsMatch { get; }

    /// <summary>The entry that matched, as text ("*.example.com", "192.0.2.1"); null when none did.</summary>
    public string? MatchedName { get; }

    /// <summary>One or two sentences: which entry matched, or why none did (what the certificate names, and which entries were ignored and why).</summary>
    public string Reason { get; }

    internal static HostNameMatch Matched(string matchedName, string reason) => new(true, matchedName, reason);

    internal static HostNameMatch Mismatch(string reason) => new(false, null, reason);

    /// <inheritdoc/>
    public override string ToString() => Reason;
}

/// <summary>
/// RFC 6125 / RFC 9525 identity check, strict: a DNS name is compared only with dNSName entries and an IP address
/// only with iPAddress entries of the subject alternative name; never with the subject common name, and never an
/// IP address with a dNSName that spells it. dNSName entries are compared in ASCII case-insensitive form; a malformed
/// entry (trailing dot, empty label, non-ASCII, underscore, ...) never matches. A wildcard matches only as the whole
/// left-most label, stands for exactly one label, and never covers a public suffix (ICANN and private sections of
/// the Public Suffix List). IP addresses match octet for octet; IPv4 and IPv6 never match each other, including
/// IPv4-mapped IPv6 addresses. Nothing here throws for odd certificate content.
/// </summary>
internal static class HostNameMatcher
{
    /// <summary>How many entries a mismatch reason lists before "and N more".</summary>
    private const int MaxListedEntries = 10;

    /// <summary>True when the certificate's SANs name the identity's host.</summary>
    /// <param name="identity">The normalised identity.</param>
    /// <param name="dnsNames">The dNSName SAN entries, as decoded from the certificate (IA5String).</param>
    /// <param name="ipAddresses">The iPAddress SAN entries (4 or 16 bytes each).</param>
    /// <returns>True on a match.</returns>
    public static bool Matches(ServerIdentity identity, IReadOnlyList<string> dnsNames, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses) =>
        Matches(identity, dnsNames, ipAddresses, PublicSuffixList.Shipped);

    /// <summary>As <see cref="Matches(ServerIdentity, IReadOnlyList{string}, IReadOnlyList{ReadOnlyMemory{byte}})"/>, with a given public suffix list.</summary>
    internal static bool Matches(ServerIdentity identity, IReadOnlyList<string> dnsNames, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses, PublicSuffixList suffixes)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(ipAddresses);
        ArgumentNullException.ThrowIfNull(suffixes);
        return identity.IsIPAddress
            ? FindAddress(identity, ipAddresses) >= 0
            : FindDnsName(identity.Host, dnsNames, suffixes) >= 0;
    }

    /// <summary>Matches, and says why: which entry matched, or what the certificate names and why none fits.</summary>
    /// <param name="identity">The normalised identity.</param>
    /// <param name="dnsNames">The dNSName SAN entries, as decoded from the certificate (IA5String).</param>
    /// <param name="ipAddresses">The iPAddress SAN entries (4 or 16 bytes each).</param>
    /// <returns>The outcome and its reason, ready for a <see cref="CertificateProblem"/> of kind <see cref="CertificateProblemKinds.NameMismatch"/>.</returns>
    public static HostNameMatch Match(ServerIdentity identity, IReadOnlyList<string> dnsNames, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses) =>
        Match(identity, dnsNames, ipAddresses, PublicSuffixList.Shipped);

    /// <summary>As <see cref="Match(ServerIdentity, IReadOnlyList{string}, IReadOnlyList{ReadOnlyMemory{byte}})"/>, with a given public suffix list.</summary>
    internal static HostNameMatch Match(ServerIdentity identity, IReadOnlyList<string> dnsNames, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses, PublicSuffixList suffixes)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(ipAddresses);
        ArgumentNullException.ThrowIfNull(suffixes);
        return identity.IsIPAddress
            ? MatchAddress(identity, dnsNames, ipAddresses)
            : MatchDnsName(identity, dnsNames, ipAddresses, suffixes);
    }

    private static int FindAddress(ServerIdentity identity, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses)
    {
        Span<byte> expected = stackalloc byte[16];
        if (!identity.IPAddress!.TryWriteBytes(expected, out int length))
        {
            return -1;
        }

        expected = expected[..length];
        for (int i = 0; i < ipAddresses.Count; i++)
        {
            if (ipAddresses[i].Span.SequenceEqual(expected))
            {
                return i;
            }
        }

        return -1;
    }

    private static int FindDnsName(string host, IReadOnlyList<string> dnsNames, PublicSuffixList suffixes)
    {
        for (int i = 0; i < dnsNames.Count; i++)
        {
            if (PresentedDnsName.Matches(host, dnsNames[i], suffixes, out _))
            {
                return i;
            }
        }

        return -1;
    }

    private static HostNameMatch MatchAddress(ServerIdentity identity, IReadOnlyList<string> dnsNames, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses)
    {
        string host = identity.Host;
        int found = FindAddress(identity, ipAddresses);
        if (found >= 0)
        {
            return HostNameMatch.Matched(host, $"{host} matches the certificate's IP address {host}.");
        }

        var reason = new StringBuilder();
        if (ipAddresses.Count == 0)
        {
            reason.Append(CultureInfo.InvariantCulture, $"The certificate names no IP address, so it is not valid for {host}.");
        }
        else
        {
            reason.Append(CultureInfo.InvariantCulture, $"The certificate is not valid for {host}: none of its IP addresses matches. It names ");
            AppendList(reason, ipAddresses.Count, i => DescribeAddress(ipAddresses[i].Span, identity));
            reason.Append('.');
        }

        string? spelled = FindAddressWrittenAsDnsName(identity, dnsNames);
        if (spelled is not null)
        {
            reason.Append(CultureInfo.InvariantCulture, $" It lists {DisplayText.Quote(spelled)} as a DNS name, which does not count: an IP address must be in an IP-address entry.");
        }

        reason.Append(" An IP address is matched only against the certificate's IP-address entries, never against DNS names or the subject common name.");
        return HostNameMatch.Mismatch(reason.ToString());
    }

    private static HostNameMatch MatchDnsName(ServerIdentity identity, IReadOnlyList<string> dnsNames, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses, PublicSuffixList suffixes)
    {
        string host = identity.Host;
        var defects = new PresentedNameDefect[dnsNames.Count];
        for (int i = 0; i < dnsNames.Count; i++)
        {
            if (PresentedDnsName.Matches(host, dnsNames[i], suffixes, out defects[i]))
            {
                string name = dnsNames[i];
                return HostNameMatch.Matched(name, $"{DisplayText.Quote(host)} matches the certificate's DNS name {DisplayText.Quote(name)}.");
            }
        }

        var reason = new StringBuilder();
        if (dnsNames.Count == 0)
        {
            reason.Append(CultureInfo.InvariantCulture, $"The certificate names no DNS name, so it is not valid for {DisplayText.Quote(host)}.");
            if (ipAddresses.Count > 0)
            {
                reason.Append(" It names only IP addresses: ");
                AppendList(reason, ipAddresses.Count, i => IPAddressText.Format(ipAddresses[i].Span) ?? $"a malformed entry of {ipAddresses[i].Length} bytes");
                reason.Append('.');
            }

            reason.Append(" A DNS name is matched only against the certificate's DNS-name entries, never against IP addresses or the subject common name.");
            return HostNameMatch.Mismatch(reason.ToString());
        }

        reason.Append(CultureInfo.InvariantCulture, $"The certificate is not valid for {DisplayText.Quote(host)}: none of its DNS names matches. It names ");
        AppendList(reason, dnsNames.Count, i => defects[i] == PresentedNameDefect.None
            ? DisplayText.Quote(dnsNames[i])
            : $"{DisplayText.Quote(dnsNames[i])} (ignored: {PresentedDnsName.Describe(defects[i], dnsNames[i])})");
        reason.Append('.');
        return HostNameMatch.Mismatch(reason.ToString());
    }

    private static string DescribeAddress(ReadOnlySpan<byte> presented, ServerIdentity identity)
    {
        string? text = IPAddressText.Format(presented);
        if (text is null)
        {
            return $"a malformed entry of {presented.Length} bytes (ignored)";
        }

        // ::ffff:a.b.c.d and a.b.c.d are different octets: say so when that is the near miss.
        Span<byte> expected = stackalloc byte[16];
        if (identity.IPAddress!.TryWriteBytes(expected, out int length))
        {
            expected = expected[..length];
            if ((presented.Length == 16 && length == 4 && IsMappedFrom(presented, expected))
                || (presented.Length == 4 && length == 16 && IsMappedFrom(expected, presented)))
            {
                return $"{text} (IPv4 and IPv4-mapped IPv6 addresses never match each other)";
            }
        }

        return text;
    }

    private static bool IsMappedFrom(ReadOnlySpan<byte> ipv6, ReadOnlySpan<byte> ipv4) =>
        ipv6[..10].IndexOfAnyExcept((byte)0) < 0 && ipv6[10] == 0xFF && ipv6[11] == 0xFF && ipv6[12..].SequenceEqual(ipv4);

    private static string? FindAddressWrittenAsDnsName(ServerIdentity identity, IReadOnlyList<string> dnsNames)
    {
        foreach (string name in dnsNames)
        {
            if (name is null || PresentedDnsName.Check(name, out _) != PresentedNameDefect.IPAddress)
            {
                continue;
            }

            if (System.Net.IPAddress.TryParse(name, out System.Net.IPAddress? parsed) && parsed.Equals(identity.IPAddress))
            {
                return name;
            }
        }

        return null;
    }

    private static void AppendList(StringBuilder text, int count, Func<int, string> describe)
    {
        int shown = Math.Min(count, MaxListedEntries);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(describe(i));
        }

        if (count > shown)
        {
            text.Append(CultureInfo.InvariantCulture, $" and {count - shown} more");
        }
    }
}
