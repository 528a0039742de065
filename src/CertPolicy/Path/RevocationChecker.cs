namespace CertPolicy;

/// <summary>
/// Checks a complete path against the supplied CRLs (RFC 5280 6.3, without fetching anything): every certificate
/// below the trust anchor needs a CRL from its issuer that is well-formed, current, whose scope covers the
/// certificate, and that is signed by a key of the issuing CA the path validates (RFC 5280 6.3.3 (f), (g)): the key of
/// the certificate's issuer in the path, or the key of another certificate with the CA's name (a key-rollover
/// certificate, a separate CRL-signing certificate) whose own path reaches the same trust anchor through the peer's
/// certificates, under the same checks as issuers (keyUsage cRLSign, validity, no cycle) and within the same work
/// budget. Such a CRL that lists the serial number revokes it; when no such CRL exists the status is unknown, which
/// fails closed.
/// </summary>
internal sealed class RevocationChecker
{
    private readonly ValidationSettings _settings;
    private readonly PathBuilder _builder;
    private readonly WorkBudget _budget;
    private readonly Dictionary<(ParsedCrl, ParsedCertificate), string?> _verified = [];

    public RevocationChecker(ValidationSettings settings, PathBuilder builder, WorkBudget budget)
    {
        _settings = settings;
        _builder = builder;
        _budget = budget;
    }

    /// <summary>Adds a problem for each certificate of the path (anchor excluded) that is revoked or whose status is unknown.</summary>
    public void Check(IReadOnlyList<ParsedCertificate> path, List<PathProblem> problems)
    {
        for (int position = 0; position < path.Count - 1; position++)
        {
            CheckOne(path, position, problems);
        }
    }

    private void CheckOne(IReadOnlyList<ParsedCertificate> path, int position, List<PathProblem> problems)
    {
        ParsedCertificate certificate = path[position];
        ParsedCertificate issuer = path[position + 1];
        var reasons = new List<string>();
        bool decided = false;
        foreach (ParsedCrl crl in _settings.Revocation.Lists)
        {
            if (!crl.Issuer.Equals(certificate.Issuer))
            {
                continue;
            }

            if ((Unusable(crl, certificate, issuer) ?? FindSigner(crl, path, position)) is { } reason)
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

    /// <summary>Why the CRL cannot decide the certificate's status whoever signed it (form, time, scope), or null.</summary>
    private string? Unusable(ParsedCrl crl, ParsedCertificate certificate, ParsedCertificate issuer)
    {
        if (crl.UnusableReason is { } unusable)
        {
            return $"a CRL of {issuer.Subject} is unusable: {unusable}";
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

    /// <summary>
    /// Finds a certificate of the CA whose key signed the CRL and that the path validates (RFC 5280 6.3.3 (f)): the
    /// issuer in the path first, then the other certificates with the CA's name, the one the CRL's authority key
    /// identifier names first. Null when one is found; else why none can be used.
    /// </summary>
    private string? FindSigner(ParsedCrl crl, IReadOnlyList<ParsedCertificate> path, int position)
    {
        ParsedCertificate issuer = path[position + 1];
        var others = new List<ParsedCertificate>();
        foreach (ParsedCertificate other in _builder.CertificatesNamed(issuer.Subject))
        {
            if (!SameSubjectAndKey(other, issuer))
            {
                others.Add(other);
            }
        }

        // The reason reported is that of the certificate the CRL names by its authority key identifier, else the issuer's.
        string? reported = null;
        bool reportedIsNamed = false;
        foreach (ParsedCertificate signer in others.OrderBy(c => NamesKey(crl, c) ? 0 : 1).Prepend(issuer))
        {
            string? problem = TrySigner(crl, signer, path, position);
            if (problem is null)
            {
                return null;
            }

            bool named = NamesKey(crl, signer);
            if (reported is null || (named && !reportedIsNamed))
            {
                reported = problem;
                reportedIsNamed = named;
            }

            if (_budget.IsExhausted)
            {
                break;
            }
        }

        return reported;
    }

    private string? TrySigner(ParsedCrl crl, ParsedCertificate signer, IReadOnlyList<ParsedCertificate> path, int position)
    {
        if (crl.AuthorityKeyIdentifier is { } keyIdentifier && signer.SubjectKeyIdentifier is { } subjectKeyIdentifier &&
            !keyIdentifier.Span.SequenceEqual(subjectKeyIdentifier.Span))
        {
            return $"a CRL of {signer.Subject} names another key than that of a certificate with its name";
        }

        if (signer.KeyUsage is { } usage && !usage.Has(KeyUsageBits.CrlSign))
        {
            return $"the keyUsage of \"{signer.Subject}\" does not allow cRLSign";
        }

        if (!_budget.TryChargeCandidate())
        {
            return "the work budget was spent before a CRL signer could be found";
        }

        if (VerifySignature(crl, signer) is { } signatureProblem)
        {
            return signatureProblem;
        }

        for (int i = position + 1; i < path.Count; i++)
        {
            if (SameSubjectAndKey(signer, path[i]))
            {
                // The key of a certificate of the path: validated by the path itself.
                return null;
            }
        }

        return SignerPathProblem(signer, path, position);
    }

    /// <summary>
    /// Checks a CRL signer that is not in the path: it must be usable itself (validity, profile) and reach a
    /// certificate of the path above the one whose status is sought through certificates the peer sent (or the path's
    /// own anchor), each a valid issuer, without a cycle and within the work budget. Null when it does.
    /// </summary>
    private string? SignerPathProblem(ParsedCertificate signer, IReadOnlyList<ParsedCertificate> path, int position)
    {
        var own = new List<PathProblem>();
        CertificateRules.CheckCommon(signer, 0, isAnchor: false, _settings, own);
        if (own.Count > 0)
        {
            return $"the CRL signer \"{signer.Subject}\" cannot be used: {own[0].Message}";
        }

        var chain = new List<ParsedCertificate> { signer };
        return ReachesPath(chain, path, position)
            ? null
            : $"the certificate of \"{signer.Subject}\" whose key signed a CRL has no valid path to the trust anchor of the certificate's path";
    }

    /// <summary>Depth first: true when the last certificate of <paramref name="chain"/> is issued by a certificate of the path above <paramref name="position"/>, directly or through valid issuers.</summary>
    private bool ReachesPath(List<ParsedCertificate> chain, IReadOnlyList<ParsedCertificate> path, int position)
    {
        ParsedCertificate child = chain[^1];
        for (int i = position + 1; i < path.Count; i++)
        {
            if (path[i].Subject.Equals(child.Issuer) && _builder.Verifies(child, path[i]))
            {
                return true;
            }

            if (_budget.IsExhausted)
            {
                return false;
            }
        }

        if (chain.Count > _settings.MaxChainDepth + ValidationSettings.SelfIssuedAllowance)
        {
            return false;
        }

        foreach (ParsedCertificate next in _builder.CertificatesNamed(child.Issuer))
        {
            // Another anchor is another trust decision (RFC 5280 6.3.3 (f): the same trust anchor); a certificate
            // already in the chain or the path is a cycle or was tried above.
            if (_builder.IsAnchor(next) || chain.Exists(c => SameSubjectAndKey(c, next)) || path.Any(c => SameSubjectAndKey(c, next)))
            {
                continue;
            }

            if (!_budget.TryChargeCandidate())
            {
                return false;
            }

            var problems = new List<PathProblem>();
            CertificateRules.CheckIssuer(next, chain.Count, isAnchor: false, TrustAnchorProfile.Strict, _settings, problems);
            if (problems.Count > 0 || !_builder.Verifies(child, next))
            {
                continue;
            }

            chain.Add(next);
            bool reached = ReachesPath(chain, path, position);
            chain.RemoveAt(chain.Count - 1);
            if (reached)
            {
                return true;
            }
        }

        return false;
    }

    private string? VerifySignature(ParsedCrl crl, ParsedCertificate signer)
    {
        if (_verified.TryGetValue((crl, signer), out string? cached))
        {
            return cached;
        }

        string? problem;
        if (!SignatureAlgorithm.TryResolve(crl.SignatureAlgorithm, out SignatureAlgorithm algorithm, out string? reason))
        {
            problem = $"a CRL's signature algorithm is refused: {reason}";
        }
        else if (signer.PublicKey.ForbiddenReason is { } forbidden)
        {
            problem = $"the key of \"{signer.Subject}\" cannot be used to verify signatures: {forbidden}";
        }
        else if (!_budget.TryChargeSignatureCheck())
        {
            // Not cached: the budget, not the CRL, is at fault.
            return "the work budget was spent before a CRL's signature could be checked";
        }
        else if (signer.Verifier.Verify(crl.TbsCertList.Span, crl.Signature.Span, algorithm, out reason) != SignatureCheck.Valid)
        {
            problem = $"a CRL's signature does not verify with the key of \"{signer.Subject}\": {reason}";
        }
        else
        {
            problem = null;
        }

        _verified[(crl, signer)] = problem;
        return problem;
    }

    private static bool NamesKey(ParsedCrl crl, ParsedCertificate certificate) =>
        crl.AuthorityKeyIdentifier is { } keyIdentifier && certificate.SubjectKeyIdentifier is { } subjectKeyIdentifier &&
        keyIdentifier.Span.SequenceEqual(subjectKeyIdentifier.Span);

    private static bool SameSubjectAndKey(ParsedCertificate a, ParsedCertificate b) =>
        ReferenceEquals(a, b) || (a.Subject.Equals(b.Subject) && a.PublicKey.Encoded.Span.SequenceEqual(b.PublicKey.Encoded.Span));

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

        // RFC 5280 6.3.3 (b)(2)(i): one of the IDP's names must match one of the names of a distribution point of the
        // certificate; a CRL that no such point names is processed as if the point's name were the certificate
        // issuer's name (6.3.3, last paragraph), so a directoryName IDP naming the issuer covers it.
        foreach (DistributionPoint certificatePoint in certificate.CrlDistributionPoints ?? [])
        {
            if (certificatePoint.FullName is { } names && Array.Exists(names, name => Array.Exists(crlNames, c => SameName(c, name))))
            {
                return null;
            }
        }

        if (Array.Exists(crlNames, c => c.Kind == GeneralNameKind.DirectoryName && c.Directory!.Equals(certificate.Issuer)))
        {
            return null;
        }

        return certificate.CrlDistributionPoints is null
            ? "a CRL covers one partition, and the certificate names no distribution point"
            : "a CRL covers a partition the certificate's distribution points do not name";
    }

    /// <summary>GeneralName equality for distribution point names: URIs and other text exactly, directory names by RFC 5280 7.1 comparison, the rest by their octets.</summary>
    private static bool SameName(GeneralName a, GeneralName b) =>
        a.Kind == b.Kind && a.Kind switch
        {
            GeneralNameKind.DirectoryName => a.Directory!.Equals(b.Directory),
            GeneralNameKind.Uri or GeneralNameKind.DnsName or GeneralNameKind.Rfc822Name or GeneralNameKind.RegisteredId => string.Equals(a.Text, b.Text, StringComparison.Ordinal),
            _ => a.Bytes.Span.SequenceEqual(b.Bytes.Span),
        };
}
