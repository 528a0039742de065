namespace CertPolicy;

/// <summary>Syntax checks for the names certificates carry: DNS names (RFC 1034/1123 preferred syntax) and mailboxes.</summary>
internal static class NameSyntax
{
    /// <summary>
    /// True when <paramref name="name"/> is an ASCII host name in preferred name syntax: dot-separated labels of
    /// letters, digits and hyphens, 1 to 63 characters each, not starting or ending with a hyphen, at most 253 in all.
    /// With <paramref name="allowWildcard"/>, the left-most label may be exactly "*" when at least one label follows.
    /// </summary>
    public static bool IsDnsName(ReadOnlySpan<char> name, bool allowWildcard)
    {
        if (name.IsEmpty || name.Length > 253)
        {
            return false;
        }

        if (allowWildcard && name.StartsWith("*.", StringComparison.Ordinal))
        {
            name = name[2..];
            if (name.IsEmpty)
            {
                return false;
            }
        }

        int labelStart = 0;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || name[i] == '.')
            {
                if (!IsLabel(name[labelStart..i]))
                {
                    return false;
                }

                labelStart = i + 1;
            }
        }

        return true;
    }

    /// <summary>True for "local@host" with exactly one '@', a non-empty local part of printable ASCII, and a host in preferred syntax.</summary>
    public static bool IsMailbox(string mailbox)
    {
        int at = mailbox.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != mailbox.LastIndexOf('@'))
        {
            return false;
        }

        foreach (char c in mailbox.AsSpan(0, at))
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return IsDnsName(mailbox.AsSpan(at + 1), allowWildcard: false);
    }

    private static bool IsLabel(ReadOnlySpan<char> label)
    {
        if (label.IsEmpty || label.Length > 63 || label[0] == '-' || label[^1] == '-')
        {
            return false;
        }

        foreach (char c in label)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }
}
