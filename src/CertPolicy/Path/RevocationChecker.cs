namespace CertPolicy;

/// <summary>
/// Checks a complete path against the supplied CRLs (RFC 5280 6.3, without fetching anything): every certificate
/// below the trust anchor needs a CRL from its issuer that is well-formed, signed by the issuer's key (with cRLSign
/// when the issuer has keyUsage), current, and whose scope covers the certificate. Such a CRL that lists the serial
/// number revokes it; when no such CRL exists the status is unknown, which fails closed.
/// </summary>
internal sealed class RevocationChecker
{
    private readonly ValidationSettings _settings;
    private readonly Dictionary<(ParsedCrl, ParsedCertificate), string?> _verified = [];

    public RevocationChecker(ValidationSettings settings)
    {
        _settings = settings;
    }

    /// <summary>Adds a problem for each certificate of the path (anchor excluded) that is revoked or whose status is unknown.</summary>
    public void Check(IReadOnlyList<ParsedCertificate> path, List<PathProblem> problems)
    {
        for (int position = 0; position < path.Count - 1; position++)
        {
            CheckOne(path[position], path[position + 1], position, problems);
        }
    }

    private void CheckOne(ParsedCertificate certificate, ParsedCertificate issuer, int position, List<PathProblem> problems)
    {
        var reasons = new List<string>();
        bool decided = false;
        foreach (ParsedCrl crl in _settings.Revocation.Lists)
        {
            if (!crl.Issuer.Equals(certificate.Issuer))
            {
                continue;
            }

            if (crl.AuthorityKeyIdentifier is { } keyIdentifier && issuer.SubjectKeyIdentifier is { } subjectKeyIdentifier &&
                !keyIdentifier.Span.SequenceEqual(subjectKeyIdentifier.Span))
            {
                reasons.Add("a CRL with the issuer's name names another key");
                continue;
            }

            if (Unusable(crl, certificate, issuer) is { } reason)
            {
                reasons.Add(reason);
                continue;
            }

            if (crl.Lists(certificate.SerialNumber))
            {
                problems.Add(new(CertificateProblemKinds.Revoked, position, $"The certificate (serial {Convert.ToHexString(certificate.SerialNumber.Span)}) is revoked by a CRL of {issuer.Subject}."));
                return;
            }

            decided = true;
        }

        if (!decided)
        {
            string why = reasons.Count == 0 ? "no CRL from its issuer was supplied" : string.Join("; ", reasons.Distinct(StringComparer.Ordinal));
            problems.Add(new(CertificateProblemKinds.RevocationStatusUnknown, position, $"Revocation lists were supplied but none can decide this certificate's status: {why}."));
        }
    }

    private string? Unusable(ParsedCrl crl, ParsedCertificate certificate, ParsedCertificate issuer)
    {
        if (crl.UnusableReason is { } unusable)
        {
            return $"a CRL of {issuer.Subject} is unusable: {unusable}";
        }

        if (issuer.KeyUsage is { } usage && !usage.Has(KeyUsageBits.CrlSign))
        {
            return "the issuer's keyUsage does not allow cRLSign";
        }

        if (VerifySignature(crl, issuer) is { } signatureProblem)
        {
            return signatureProblem;
        }

        if (!_settings.HasReached(crl.ThisUpdate))
        {
            return $"a CRL of {issuer.Subject} is not in effect before {crl.ThisUpdate:u}";
        }

        if (crl.NextUpdate is { } next && !_settings.HasNotPassed(next))
        {
            return $"a CRL of {issuer.Subject} expired at {next:u}";
        }

        return OutOfScope(crl, certificate);
    }

    private string? VerifySignature(ParsedCrl crl, ParsedCertificate issuer)
    {
        if (_verified.TryGetValue((crl, issuer), out string? cached))
        {
            return cached;
        }

        string? problem = null;
        if (!SignatureAlgorithm.TryResolve(crl.SignatureAlgorithm, out SignatureAlgorithm algorithm, out string? reason))
        {
            problem = $"a CRL's signature algorithm is refused: {reason}";
        }
        else if (issuer.Verifier.Verify(crl.TbsCertList.Span, crl.Signature.Span, algorithm, out reason) != SignatureCheck.Valid)
        {
            problem = $"a CRL's signature does not verify with the key of {issuer.Subject}: {reason}";
        }

        _verified[(crl, issuer)] = problem;
        return problem;
    }

    /// <summary>RFC 5280 5.2.5 / 6.3.3 (b): a CRL with an issuing distribution point covers only the certificates its scope names.</summary>
    private static string? OutOfScope(ParsedCrl crl, ParsedCertificate certificate)
    {
        if (crl.DistributionPoint is not { } point)
        {
            return null;
        }

        if (point.OnlyContainsAttributeCertificates)
        {
            return "a CRL covers only attribute certificates";
        }

        if (point.OnlyContainsUserCertificates && certificate.IsCertificateAuthority)
        {
            return "a CRL covers only end-entity certificates, and this one is a CA";
        }

        if (point.OnlyContainsCACertificates && !certificate.IsCertificateAuthority)
        {
            return "a CRL covers only CA certificates, and this one is not";
        }

        if (point.FullName is not { } crlNames)
        {
            return null;
        }

        if (certificate.CrlDistributionPoints is not { } certificatePoints)
        {
            return "a CRL covers one partition, and the certificate names no distribution point";
        }

        foreach (DistributionPoint certificatePoint in certificatePoints)
        {
            if (certificatePoint.FullName is not { } names || Array.Exists(names, n => n.Kind != GeneralNameKind.Uri))
            {
                continue;
            }

            foreach (GeneralName name in names)
            {
                if (Array.Exists(crlNames, c => string.Equals(c.Text, name.Text, StringComparison.Ordinal)))
                {
                    return null;
                }
            }
        }

        return "a CRL covers a partition the certificate's distribution points do not name";
    }
}
