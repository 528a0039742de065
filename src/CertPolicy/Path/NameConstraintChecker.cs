using System.Net;

namespace CertPolicy;

/// <summary>The outcome of applying one CA's name constraints to one certificate.</summary>
internal enum NameConstraintOutcome
{
    Satisfied,
    Violated,
    BudgetExceeded,
}

/// <summary>
/// Applies a CA's nameConstraints (RFC 5280 4.2.1.10) to the names of a certificate below it: dNSName, iPAddress,
/// directoryName, rfc822Name and URI constraints are processed; a constraint of any other form rejects every
/// certificate that carries a name of that form (RFC 5280: process it or reject). A name that is malformed cannot be
/// shown to lie inside a subtree, so it violates any constraint of its form. Wildcard dNSNames are judged by every
/// name they could match. The work (names times subtrees) is charged to the validation's budget.
/// </summary>
internal static class NameConstraintChecker
{
    /// <summary>Checks every name of <paramref name="certificate"/> against <paramref name="constraints"/>.</summary>
    /// <param name="certificate">The certificate whose names are checked.</param>
    /// <param name="constraints">The CA's constraints.</param>
    /// <param name="budget">The validation's work budget; charged names times subtrees.</param>
    /// <param name="violation">What is wrong, when the outcome is not <see cref="NameConstraintOutcome.Satisfied"/>.</param>
    public static NameConstraintOutcome Check(ParsedCertificate certificate, NameConstraintsExtension constraints, WorkBudget budget, out string? violation)
    {
        int names = certificate.SubjectAlternativeNames.Count + (certificate.Subject.IsEmpty ? 0 : 1 + certificate.Subject.AttributeCount);
        if (!budget.TryChargeNameComparisons(names, constraints.Count, certificate.Subject))
        {
            violation = budget.RefusedWork;
            return NameConstraintOutcome.BudgetExceeded;
        }

        if (!certificate.Subject.IsEmpty)
        {
            if (!Permits(constraints, GeneralNameKind.DirectoryName, subtree => certificate.Subject.IsWithin(subtree.Directory!), isMalformed: false, out violation, () => $"subject \"{certificate.Subject}\""))
            {
                return NameConstraintOutcome.Violated;
            }

            foreach (string email in certificate.Subject.ValuesOf(Oids.EmailAddress))
            {
                if (!CheckMailbox(constraints, email, out violation))
                {
                    return NameConstraintOutcome.Violated;
                }
            }
        }

        foreach (GeneralName name in certificate.SubjectAlternativeNames)
        {
            if (!CheckName(constraints, name, out violation))
            {
                return NameConstraintOutcome.Violated;
            }
        }

        violation = null;
        return NameConstraintOutcome.Satisfied;
    }

    /// <summary>The first malformed subtree of a nameConstraints extension, described, or null when all are well-formed.</summary>
    public static string? FindMalformedSubtree(NameConstraintsExtension constraints)
    {
        foreach (GeneralSubtree subtree in constraints.Permitted.Concat(constraints.Excluded))
        {
            GeneralName name = subtree.Base;
            switch (name.Kind)
            {
                case GeneralNameKind.DnsName when name.Text!.Length > 0 && !NameSyntax.IsDnsName(name.Text, allowWildcard: false):
                    return $"the dNSName constraint \"{name.Text}\" is not a host name (RFC 5280 allows neither wildcards nor a leading period)";
                case GeneralNameKind.IPAddress when !TryReadNetwork(name.Bytes.Span, out _, out _):
                    return $"the iPAddress constraint {Convert.ToHexString(name.Bytes.Span)} is not an address and a contiguous mask";
                case GeneralNameKind.Rfc822Name when !IsMailboxConstraint(name.Text!):
                    return $"the rfc822Name constraint \"{name.Text}\" is neither a mailbox, a host nor a domain";
                case GeneralNameKind.Uri when !IsUriConstraint(name.Text!):
                    return $"the URI constraint \"{name.Text}\" is neither a host nor a domain";
                default:
                    break;
            }
        }

        return null;
    }

    private static bool CheckName(NameConstraintsExtension constraints, GeneralName name, out string? violation)
    {
        switch (name.Kind)
        {
            case GeneralNameKind.DnsName:
                return CheckDnsName(constraints, name.Text!, out violation);
            case GeneralNameKind.IPAddress:
                ReadOnlyMemory<byte> address = name.Bytes;
                bool malformedAddress = address.Length is not (4 or 16);
                return Permits(constraints, GeneralNameKind.IPAddress, subtree => !malformedAddress && AddressIsWithin(address.Span, subtree.Bytes), malformedAddress, out violation, () => $"iPAddress {FormatAddress(address.Span)}");
            case GeneralNameKind.DirectoryName:
                return Permits(constraints, GeneralNameKind.DirectoryName, subtree => name.Directory!.IsWithin(subtree.Directory!), isMalformed: false, out violation, () => $"directoryName \"{name.Directory}\"");
            case GeneralNameKind.Rfc822Name:
                return CheckMailbox(constraints, name.Text!, out violation);
            case GeneralNameKind.Uri:
                string? host = UriHost(name.Text!);
                return Permits(constraints, GeneralNameKind.Uri, subtree => host is not null && HostMatchesUriConstraint(host, subtree.Base.Text!), host is null, out violation, () => $"URI \"{name.Text}\"");
            default:
                if (HasConstraintOfKind(constraints, name.Kind))
                {
                    violation = $"A name constraint restricts {name.Kind} names, which this library cannot evaluate, and the certificate carries one.";
                    return false;
                }

                violation = null;
                return true;
        }
    }

    private static bool CheckDnsName(NameConstraintsExtension constraints, string name, out string? violation)
    {
        string lower = name.ToLowerInvariant();
        bool malformed = !NameSyntax.IsDnsName(lower, allowWildcard: true);
        bool wildcard = lower.StartsWith("*.", StringComparison.Ordinal);
        string baseName = wildcard ? lower[2..] : lower;

        // Permitted: every name the SAN stands for must be inside the subtree. Excluded: no name it stands for may be.
        if (HasConstraintOfKind(constraints, GeneralNameKind.DnsName) && malformed)
        {
            violation = $"The dNSName \"{name}\" is malformed, so it cannot be shown to satisfy the name constraints.";
            return false;
        }

        foreach (GeneralSubtree subtree in constraints.Excluded)
        {
            if (subtree.Base.Kind != GeneralNameKind.DnsName)
            {
                continue;
            }

            string excluded = subtree.Base.Text!.ToLowerInvariant();
            bool hit = wildcard
                ? DnsIsWithin(baseName, excluded) || excluded.EndsWith("." + baseName, StringComparison.Ordinal)
                : DnsIsWithin(lower, excluded);
            if (hit)
            {
                violation = $"The dNSName \"{name}\" is inside the excluded subtree \"{subtree.Base.Text}\".";
                return false;
            }
        }

        bool anyPermitted = false;
        foreach (GeneralSubtree subtree in constraints.Permitted)
        {
            if (subtree.Base.Kind != GeneralNameKind.DnsName)
            {
                continue;
            }

            anyPermitted = true;
            if (DnsIsWithin(baseName, subtree.Base.Text!.ToLowerInvariant()) && (!wildcard || baseName.Length > 0))
            {
                violation = null;
                return true;
            }
        }

        violation = anyPermitted ? $"The dNSName \"{name}\" is outside every permitted subtree." : null;
        return !anyPermitted;
    }

    private static bool CheckMailbox(NameConstraintsExtension constraints, string mailbox, out string? violation)
    {
        bool malformed = !NameSyntax.IsMailbox(mailbox);
        return Permits(constraints, GeneralNameKind.Rfc822Name, subtree => !malformed && MailboxMatches(mailbox, subtree.Base.Text!), malformed, out violation, () => $"rfc822Name \"{mailbox}\"");
    }

    /// <summary>The generic rule: not inside any excluded subtree of the form, and inside a permitted one when the form has any.</summary>
    private static bool Permits(NameConstraintsExtension constraints, GeneralNameKind kind, Func<GeneralSubtreeView, bool> isWithin, bool isMalformed, out string? violation, Func<string> describe)
    {
        if (isMalformed && HasConstraintOfKind(constraints, kind))
        {
            violation = $"The {describe()} is malformed, so it cannot be shown to satisfy the name constraints.";
            return false;
        }

        foreach (GeneralSubtree subtree in constraints.Excluded)
        {
            if (subtree.Base.Kind == kind && isWithin(new GeneralSubtreeView(subtree.Base)))
            {
                violation = $"The {describe()} is inside an excluded subtree.";
                return false;
            }
        }

        bool anyPermitted = false;
        foreach (GeneralSubtree subtree in constraints.Permitted)
        {
            if (subtree.Base.Kind != kind)
            {
                continue;
            }

            anyPermitted = true;
            if (isWithin(new GeneralSubtreeView(subtree.Base)))
            {
                violation = null;
                return true;
            }
        }

        violation = anyPermitted ? $"The {describe()} is outside every permitted subtree." : null;
        return !anyPermitted;
    }

    private static bool HasConstraintOfKind(NameConstraintsExtension constraints, GeneralNameKind kind) =>
        Array.Exists(constraints.Permitted, s => s.Base.Kind == kind) || Array.Exists(constraints.Excluded, s => s.Base.Kind == kind);

    /// <summary>RFC 5280: a DNS name satisfies a constraint when it equals it or adds labels on the left. An empty constraint matches all.</summary>
    private static bool DnsIsWithin(string name, string constraint) =>
        constraint.Length == 0 ||
        string.Equals(name, constraint, StringComparison.Ordinal) ||
        (name.Length > constraint.Length && name.EndsWith(constraint, StringComparison.Ordinal) && name[name.Length - constraint.Length - 1] == '.');

    private static bool MailboxMatches(string mailbox, string constraint)
    {
        int at = mailbox.IndexOf('@', StringComparison.Ordinal);
        string host = mailbox[(at + 1)..];
        if (constraint.Contains('@', StringComparison.Ordinal))
        {
            // A particular mailbox: the local part compares exactly, the host without regard to case.
            int constraintAt = constraint.IndexOf('@', StringComparison.Ordinal);
            return string.Equals(mailbox[..at], constraint[..constraintAt], StringComparison.Ordinal) &&
                string.Equals(host, constraint[(constraintAt + 1)..], StringComparison.OrdinalIgnoreCase);
        }

        if (constraint.StartsWith('.'))
        {
            // Any host in the domain, not the domain itself.
            return host.Length > constraint.Length && host.EndsWith(constraint, StringComparison.OrdinalIgnoreCase);
        }

        return string.Equals(host, constraint, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsMailboxConstraint(string constraint)
    {
        if (constraint.Contains('@', StringComparison.Ordinal))
        {
            return NameSyntax.IsMailbox(constraint);
        }

        return constraint.StartsWith('.')
            ? NameSyntax.IsDnsName(constraint.AsSpan(1), allowWildcard: false)
            : NameSyntax.IsDnsName(constraint, allowWildcard: false);
    }

    private static bool IsUriConstraint(string constraint) =>
        constraint.StartsWith('.')
            ? NameSyntax.IsDnsName(constraint.AsSpan(1), allowWildcard: false)
            : NameSyntax.IsDnsName(constraint, allowWildcard: false);

    private static bool HostMatchesUriConstraint(string host, string constraint) =>
        constraint.StartsWith('.')
            ? host.Length > constraint.Length && host.EndsWith(constraint, StringComparison.OrdinalIgnoreCase)
            : string.Equals(host, constraint, StringComparison.OrdinalIgnoreCase);

    /// <summary>The host of a URI with an authority, when it is a DNS name; null otherwise (no authority, IP literal, malformed).</summary>
    private static string? UriHost(string uri)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out Uri? parsed) || parsed.HostNameType != UriHostNameType.Dns || string.IsNullOrEmpty(parsed.IdnHost))
        {
            return null;
        }

        return NameSyntax.IsDnsName(parsed.IdnHost, allowWildcard: false) ? parsed.IdnHost : null;
    }

    private static bool AddressIsWithin(ReadOnlySpan<byte> address, ReadOnlySpan<byte> constraint)
    {
        if (!TryReadNetwork(constraint, out ReadOnlySpan<byte> network, out ReadOnlySpan<byte> mask) || network.Length != address.Length)
        {
            return false;
        }

        for (int i = 0; i < address.Length; i++)
        {
            if ((address[i] & mask[i]) != (network[i] & mask[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An iPAddress constraint is an address and a mask (8 or 32 bytes); the mask must be a run of ones then zeros.</summary>
    private static bool TryReadNetwork(ReadOnlySpan<byte> constraint, out ReadOnlySpan<byte> network, out ReadOnlySpan<byte> mask)
    {
        network = default;
        mask = default;
        if (constraint.Length is not (8 or 32))
        {
            return false;
        }

        int half = constraint.Length / 2;
        network = constraint[..half];
        mask = constraint[half..];
        bool zeros = false;
        foreach (byte b in mask)
        {
            for (int bit = 7; bit >= 0; bit--)
            {
                bool one = (b & (1 << bit)) != 0;
                if (one && zeros)
                {
                    return false;
                }

                zeros |= !one;
            }
        }

        return true;
    }

    private static string FormatAddress(ReadOnlySpan<byte> address) =>
        address.Length is 4 or 16 ? new IPAddress(address).ToString() : Convert.ToHexString(address);

    /// <summary>A view of a subtree's base for the generic matcher.</summary>
    private readonly record struct GeneralSubtreeView(GeneralName Base)
    {
        public DistinguishedName? Directory => Base.Directory;

        public ReadOnlySpan<byte> Bytes => Base.Bytes.Span;
    }
}
