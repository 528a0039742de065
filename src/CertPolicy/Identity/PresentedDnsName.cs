namespace CertPolicy;

/// <summary>Why a dNSName entry of a certificate is never matched; <see cref="None"/> when it is well formed.</summary>
internal enum PresentedNameDefect
{
    /// <summary>Well formed: letters, digits and hyphens in labels of 1–63 octets, or "*." and such a name.</summary>
    None = 0,

    /// <summary>The entry is null.</summary>
    Missing,

    /// <summary>The entry is empty.</summary>
    Empty,

    /// <summary>Longer than 253 octets.</summary>
    TooLong,

    /// <summary>An IPv4 or IPv6 address written as a DNS name.</summary>
    IPAddress,

    /// <summary>Holds a byte or character outside ASCII (a U-label, or anything else).</summary>
    NonAscii,

    /// <summary>Holds a control character, DEL or a space.</summary>
    ControlOrSpace,

    /// <summary>Holds an underscore.</summary>
    Underscore,

    /// <summary>Holds another character that is not a letter, digit, hyphen, dot or wildcard.</summary>
    InvalidCharacter,

    /// <summary>Starts with a dot.</summary>
    LeadingDot,

    /// <summary>Ends with a dot.</summary>
    TrailingDot,

    /// <summary>Has two dots in a row.</summary>
    EmptyLabel,

    /// <summary>Has a label longer than 63 octets.</summary>
    LabelTooLong,

    /// <summary>Has a label that starts or ends with a hyphen.</summary>
    HyphenAtLabelEdge,

    /// <summary>Its last label is a number, so resolvers would read it as an IPv4 address.</summary>
    NumericLastLabel,

    /// <summary>Is "*" alone.</summary>
    BareWildcard,

    /// <summary>Has '*' inside a label: "f*.example.com", "*oo.example.com", "xn--*-abc.example.com".</summary>
    PartialWildcard,

    /// <summary>Has a "*" label that is not the left-most one: "foo.*.example.com", "*.*.example.com".</summary>
    WildcardNotLeftmost,

    /// <summary>A wildcard whose remainder is a public suffix: "*.com", "*.co.uk", "*.s3.amazonaws.com".</summary>
    WildcardOverPublicSuffix,
}

/// <summary>
/// The dNSName entries of a certificate (presented identifiers), judged strictly: an entry that breaks the preferred
/// name syntax (RFC 5280 4.2.1.6, RFC 1123) or the wildcard rules of RFC 9525 is never matched, and never throws.
/// </summary>
internal static class PresentedDnsName
{
    /// <summary>Checks an entry's syntax; the public-suffix rule is checked only when a wildcard would match (see <see cref="Matches"/>).</summary>
    /// <param name="name">The entry, as decoded from the certificate.</param>
    /// <param name="isWildcard">True when the entry is "*." followed by a well-formed name.</param>
    /// <returns>The first defect found, or <see cref="PresentedNameDefect.None"/>.</returns>
    public static PresentedNameDefect Check(string? name, out bool isWildcard)
    {
        isWildcard = false;
        if (name is null)
        {
            return PresentedNameDefect.Missing;
        }

        if (name.Length == 0)
        {
            return PresentedNameDefect.Empty;
        }

        if (name == "*")
        {
            return PresentedNameDefect.BareWildcard;
        }

        PresentedNameDefect characters = CheckCharacters(name);
        if (characters != PresentedNameDefect.None)
        {
            return characters;
        }

        Span<byte> octets = stackalloc byte[4];
        if (IPAddressText.TryParseDottedQuad(name, octets))
        {
            return PresentedNameDefect.IPAddress;
        }

        if (name[0] == '.')
        {
            return PresentedNameDefect.LeadingDot;
        }

        if (name[^1] == '.')
        {
            return PresentedNameDefect.TrailingDot;
        }

        if (name.Length > HostNameNormalizer.MaxNameLength)
        {
            return PresentedNameDefect.TooLong;
        }

        int index = 0;
        int lastLabelStart = 0;
        foreach (Range range in name.AsSpan().Split('.'))
        {
            ReadOnlySpan<char> label = name.AsSpan(range);
            lastLabelStart = range.Start.GetOffset(name.Length);
            PresentedNameDefect defect = CheckLabel(label, index, ref isWildcard);
            if (defect != PresentedNameDefect.None)
            {
                isWildcard = false;
                return defect;
            }

            index++;
        }

        if (HostNameNormalizer.IsNumber(name.AsSpan(lastLabelStart)))
        {
            isWildcard = false;
            return PresentedNameDefect.NumericLastLabel;
        }

        return PresentedNameDefect.None;
    }

    /// <summary>
    /// True when the entry names the host: equal in ASCII case-insensitive form, or "*.rest" where the host is one
    /// label followed by "rest" and "rest" is not a public suffix.
    /// </summary>
    /// <param name="host">The normalised host (lower-case ASCII, no trailing dot).</param>
    /// <param name="presented">The certificate's entry.</param>
    /// <param name="suffixes">The public suffix list.</param>
    /// <param name="defect">Why the entry is never matched, if it is not well formed or is a wildcard over a public suffix.</param>
    /// <returns>True on a match.</returns>
    public static bool Matches(string host, string? presented, PublicSuffixList suffixes, out PresentedNameDefect defect)
    {
        defect = Check(presented, out bool isWildcard);
        if (defect != PresentedNameDefect.None)
        {
            return false;
        }

        if (!isWildcard)
        {
            return string.Equals(host, presented, StringComparison.OrdinalIgnoreCase);
        }

        // "*.rest" stands for exactly one whole label in front of "rest": never zero labels, never several.
        int firstDot = host.IndexOf('.', StringComparison.Ordinal);
        if (firstDot <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> hostRest = host.AsSpan(firstDot + 1);
        if (!hostRest.Equals(presented!.AsSpan(2), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (suffixes.IsPublicSuffix(hostRest))
        {
            defect = PresentedNameDefect.WildcardOverPublicSuffix;
            return false;
        }

        return true;
    }

    /// <summary>Why an entry with this defect is never matched, as a phrase that follows "ignored: ".</summary>
    /// <param name="defect">The defect.</param>
    /// <param name="name">The entry.</param>
    /// <returns>The phrase.</returns>
    public static string Describe(PresentedNameDefect defect, string? name) => defect switch
    {
        PresentedNameDefect.None => "well formed",
        PresentedNameDefect.Missing => "the entry is missing",
        PresentedNameDefect.Empty => "it is empty",
        PresentedNameDefect.TooLong => $"it is longer than {HostNameNormalizer.MaxNameLength} characters",
        PresentedNameDefect.IPAddress => "it is an IP address written as a DNS name; IP addresses count only in IP-address entries",
        PresentedNameDefect.NonAscii => "it holds non-ASCII characters; internationalized names must be written as A-labels (xn--)",
        PresentedNameDefect.ControlOrSpace => "it holds a control character or a space",
        PresentedNameDefect.Underscore => "it holds an underscore, which DNS names in certificates may not (RFC 5280)",
        PresentedNameDefect.InvalidCharacter => "it holds a character DNS names may not",
        PresentedNameDefect.LeadingDot => "it starts with a dot",
        PresentedNameDefect.TrailingDot => "it ends with a dot",
        PresentedNameDefect.EmptyLabel => "it has an empty label",
        PresentedNameDefect.LabelTooLong => $"it has a label longer than {HostNameNormalizer.MaxLabelLength} characters",
        PresentedNameDefect.HyphenAtLabelEdge => "a label starts or ends with a hyphen",
        PresentedNameDefect.NumericLastLabel => "its last label is a number, which reads as an IP address",
        PresentedNameDefect.BareWildcard => "a lone '*' would match every name",
        PresentedNameDefect.PartialWildcard => "a wildcard must be the whole left-most label, as in '*.example.com'; partial wildcards are never matched",
        PresentedNameDefect.WildcardNotLeftmost => "a wildcard may only be the whole left-most label",
        PresentedNameDefect.WildcardOverPublicSuffix =>
            $"{DisplayText.Quote(name is { Length: > 2 } ? name[2..].ToLowerInvariant() : name)} is a public suffix, and no certificate may cover every name under one",
        _ => "it is malformed",
    };

    private static PresentedNameDefect CheckCharacters(string name)
    {
        PresentedNameDefect found = PresentedNameDefect.None;
        foreach (char c in name)
        {
            if (c > '\u007E')
            {
                return c == '\u007F' ? PresentedNameDefect.ControlOrSpace : PresentedNameDefect.NonAscii;
            }

            if (c <= ' ')
            {
                return PresentedNameDefect.ControlOrSpace;
            }

            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '*')
            {
                continue;
            }

            if (found == PresentedNameDefect.None)
            {
                found = c == '_' ? PresentedNameDefect.Underscore : PresentedNameDefect.InvalidCharacter;
            }
        }

        if (found == PresentedNameDefect.InvalidCharacter && name.Contains(':', StringComparison.Ordinal) && IPAddressText.TryParseIPv6(name, out _))
        {
            return PresentedNameDefect.IPAddress;
        }

        return found;
    }

    private static PresentedNameDefect CheckLabel(ReadOnlySpan<char> label, int index, ref bool isWildcard)
    {
        if (label.IsEmpty)
        {
            return PresentedNameDefect.EmptyLabel;
        }

        if (label.Length > HostNameNormalizer.MaxLabelLength)
        {
            return PresentedNameDefect.LabelTooLong;
        }

        if (label.Contains('*'))
        {
            if (label.Length > 1)
            {
                return PresentedNameDefect.PartialWildcard;
            }

            if (index > 0)
            {
                return PresentedNameDefect.WildcardNotLeftmost;
            }

            isWildcard = true;
            return PresentedNameDefect.None;
        }

        return label[0] == '-' || label[^1] == '-' ? PresentedNameDefect.HyphenAtLabelEdge : PresentedNameDefect.None;
    }
}
