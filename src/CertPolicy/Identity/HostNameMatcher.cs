namespace CertPolicy;

/// <summary>
/// RFC 6125 / RFC 9525 identity check: DNS names against dNSName SANs only, IP addresses against iPAddress SANs only.
/// (Stub: exact matching only, to be completed by the identity work.)
/// </summary>
internal static class HostNameMatcher
{
    /// <summary>True when the certificate's SANs name the identity's host.</summary>
    /// <param name="identity">The normalised identity.</param>
    /// <param name="dnsNames">The dNSName SAN entries, as decoded from the certificate (IA5String).</param>
    /// <param name="ipAddresses">The iPAddress SAN entries (4 or 16 bytes each).</param>
    public static bool Matches(ServerIdentity identity, IReadOnlyList<string> dnsNames, IReadOnlyList<ReadOnlyMemory<byte>> ipAddresses)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(ipAddresses);
        if (identity.IPAddress is { } address)
        {
            byte[] bytes = address.GetAddressBytes();
            foreach (ReadOnlyMemory<byte> candidate in ipAddresses)
            {
                if (candidate.Span.SequenceEqual(bytes))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (string name in dnsNames)
        {
            if (string.Equals(name.TrimEnd('.'), identity.Host, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
