namespace CertPolicy;

/// <summary>
/// THE rules of remembered approvals beyond the exact certificate: which approvals of a server cover the
/// certificate it presents now (by scope), which key signed a certificate, and what changed since the most relevant
/// earlier approval when none covers it.
/// </summary>
internal static class ApprovalMatching
{
    /// <summary>
    /// True when <paramref name="approval"/> covers the certificate <paramref name="leaf"/> (problems and lifetime
    /// aside): its exact certificate always; under its own scope, when that is the profile's scope, a certificate
    /// with the same public key (<see cref="ApprovalScope.PublicKey"/>) or with the same subject and a signature that
    /// verifies with the approved issuer's key (<see cref="ApprovalScope.Issuer"/>). An approval whose scope this
    /// version does not know covers nothing.
    /// </summary>
    public static bool CoversCertificate(CertificateApproval approval, CertificateSummary leaf, CertificateFingerprint sha256, ApprovalScope profileScope)
    {
        ApprovalFacts facts = approval.Facts;
        if (facts.UnknownScope is not null)
        {
            return false;
        }

        if (approval.Fingerprint == sha256)
        {
            return true;
        }

        if (facts.Scope != profileScope)
        {
            return false;
        }

        return facts.Scope switch
        {
            ApprovalScope.PublicKey => leaf.PublicKeySha256 is { } key && string.Equals(key, facts.PublicKeySha256, StringComparison.OrdinalIgnoreCase),
            ApprovalScope.Issuer => leaf.Parsed is { } parsed
                && facts.SubjectDistinguishedName is { } subject
                && facts.IssuerKey is { } issuerKey
                && parsed.Subject.Equals(subject)
                && SignedBy(parsed, issuerKey),
            _ => false,
        };
    }

    /// <summary>True when <paramref name="certificate"/>'s signature verifies with <paramref name="key"/> (remembered when it does).</summary>
    public static bool SignedBy(ParsedCertificate certificate, PublicKeyInfo key)
    {
        if (SignatureCache.IsKnownValid(certificate, key))
        {
            return true;
        }

        if (!SignatureAlgorithm.TryResolve(certificate.SignatureAlgorithm, out SignatureAlgorithm algorithm, out _))
        {
            return false;
        }

        bool valid = SignatureCache.VerifierFor(key).Verify(certificate.TbsCertificate.Span, certificate.Signature.Span, algorithm, out _) == SignatureCheck.Valid;
        if (valid)
        {
            SignatureCache.RememberValid(certificate, key);
        }

        return valid;
    }

    /// <summary>
    /// The key that signed the report's leaf: that of the next certificate of the judged path when it verifies the
    /// leaf's signature, else the leaf's own when the leaf is self-signed; null when neither does.
    /// </summary>
    public static PublicKeyInfo? IssuerKeyOf(ValidationReport report)
    {
        if (report.Certificate?.Parsed is not { } leaf)
        {
            return null;
        }

        if (report.Path.Count > 1 && report.Path[1].Parsed is { } issuer && SignedBy(leaf, issuer.PublicKey))
        {
            return issuer.PublicKey;
        }

        return SignedBy(leaf, leaf.PublicKey) ? leaf.PublicKey : null;
    }

    /// <summary>
    /// What an approval of the report's certificate under <paramref name="scope"/> records: <paramref name="approvedBy"/>,
    /// the certificate's key, the key that signed it (when it can be established) and, for the issuer scope, its
    /// subject. Null, with <paramref name="missing"/> saying what, when the scope needs a key that cannot be
    /// established (the certificate could not be parsed, or nothing presented verifies its signature).
    /// </summary>
    public static ApprovalFacts? FactsFor(ValidationReport? report, ApprovalScope scope, string? approvedBy, out string? missing)
    {
        CertificateSummary? leaf = report?.Certificate;
        PublicKeyInfo? issuerKey = report is null ? null : IssuerKeyOf(report);
        missing = scope switch
        {
            ApprovalScope.PublicKey when leaf?.PublicKeySha256 is null => "the certificate's public key",
            ApprovalScope.Issuer when issuerKey is null || leaf?.Parsed is null => "the key that signed the certificate",
            _ => null,
        };
        return missing is not null ? null : new ApprovalFacts
        {
            Scope = scope,
            ApprovedBy = approvedBy,
            PublicKeySha256 = leaf?.PublicKeySha256,
            IssuerPublicKey = issuerKey?.Encoded.ToArray(),
            SubjectName = scope == ApprovalScope.Issuer ? leaf!.Parsed!.Subject.Encoded.ToArray() : null,
        };
    }

    /// <summary>
    /// The earlier approval most relevant to a certificate none covers, and what changed since: one that covers the
    /// certificate itself (the problems changed, or it expired) first, then the latest not replaced, then the latest.
    /// </summary>
    public static ApprovalChange Describe(
        IReadOnlyList<CertificateApproval> candidates,
        CertificateSummary leaf,
        CertificateFingerprint sha256,
        CertificateProblemKinds problems,
        ApprovalScope profileScope,
        Func<CertificateApproval, bool> expired)
    {
        CertificateApproval previous =
            Latest(candidates.Where(a => CoversCertificate(a, leaf, sha256, profileScope)))
            ?? Latest(candidates.Where(a => a.ReplacedAt is null))
            ?? Latest(candidates)!;
        ApprovalChanges changes = ApprovalChanges.None;
        if (previous.Fingerprint != sha256)
        {
            changes |= ApprovalChanges.NewCertificate;
            if (previous.PublicKeySha256 is { } approvedKey && leaf.PublicKeySha256 is { } key && !string.Equals(approvedKey, key, StringComparison.OrdinalIgnoreCase))
            {
                changes |= ApprovalChanges.NewKey;
            }

            if (previous.Facts.IssuerKey is { } issuerKey && leaf.Parsed is { } parsed && !SignedBy(parsed, issuerKey))
            {
                changes |= ApprovalChanges.NewIssuer;
            }
        }

        if (!previous.Covers(problems))
        {
            changes |= ApprovalChanges.NewProblems;
        }

        if (expired(previous))
        {
            changes |= ApprovalChanges.ApprovalExpired;
        }

        return new ApprovalChange(previous, changes);
    }

    private static CertificateApproval? Latest(IEnumerable<CertificateApproval> approvals) => approvals.MaxBy(a => a.ApprovedAt);
}

/// <summary>The earlier approval most relevant to a certificate none covers, and what changed since.</summary>
internal sealed record ApprovalChange(CertificateApproval Previous, ApprovalChanges Changes);
