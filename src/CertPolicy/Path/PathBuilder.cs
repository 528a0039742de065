using System.Runtime.InteropServices;

namespace CertPolicy;

/// <summary>The path that was judged and what is wrong with it (the leaf's own problems excluded).</summary>
/// <param name="IsTrusted">True when the path ends in a trust anchor and has no problem.</param>
/// <param name="Path">The certificates of the path, leaf first.</param>
/// <param name="Problems">The problems of the path, including revocation, but not the leaf's own profile and identity problems.</param>
internal sealed record PathOutcome(bool IsTrusted, IReadOnlyList<ParsedCertificate> Path, IReadOnlyList<PathProblem> Problems);

/// <summary>
/// Builds a certification path (RFC 5280 6.1, with RFC 4158-style search) from a leaf through the peer's other
/// certificates to a trust anchor, depth first with backtracking: issuers are found by subject name, tried anchors
/// first and then in the order the authority key identifier suggests; a candidate whose signature does not verify is
/// discarded, and a path whose checks fail is remembered while the next candidate is tried. The first path without
/// problems wins; when none exists the best failing path is reported (one that reaches an anchor, with the fewest
/// problems; else the longest). Loops (a subject and key already in the path) are never followed, and the
/// <see cref="WorkBudget"/> bounds the search.
/// </summary>
internal sealed class PathBuilder
{
    private readonly ValidationSettings _settings;
    private readonly AnchorIndex _anchors;
    private readonly Dictionary<string, List<ParsedCertificate>> _intermediates;
    private readonly WorkBudget _budget;
    private readonly RevocationChecker _revocation;
    private readonly IReadOnlyList<UnusableCertificate> _unusable;
    private readonly Dictionary<SignatureEdge, (SignatureCheck Check, string? Reason)> _signatures = new(SignatureEdge.Comparer);
    private readonly List<ParsedCertificate> _path = [];
    private readonly List<PathProblem> _problems = [];
    private Snapshot? _best;
    private Snapshot? _trusted;

    public PathBuilder(ValidationSettings settings, AnchorIndex anchors, IEnumerable<ParsedCertificate> intermediates, WorkBudget budget, IReadOnlyList<UnusableCertificate>? unusable = null)
    {
        _settings = settings;
        _unusable = unusable ?? [];
        _anchors = anchors;
        _budget = budget;
        _revocation = new RevocationChecker(settings, this, budget);
        _intermediates = new Dictionary<string, List<ParsedCertificate>>(StringComparer.Ordinal);
        foreach (ParsedCertificate intermediate in intermediates)
        {
            ref List<ParsedCertificate>? list = ref CollectionsMarshal.GetValueRefOrAddDefault(_intermediates, intermediate.Subject.CanonicalKey, out _);
            (list ??= []).Add(intermediate);
        }
    }

    /// <summary>Finds the path for <paramref name="leaf"/>.</summary>
    /// <param name="leaf">The leaf.</param>
    /// <param name="leafIsAnchor">True when the leaf itself is a trust anchor: the path is the leaf alone.</param>
    public PathOutcome Build(ParsedCertificate leaf, bool leafIsAnchor)
    {
        _path.Add(leaf);
        if (leafIsAnchor)
        {
            Complete();
        }
        else
        {
            Extend();
        }

        Snapshot result = _trusted ?? _best ?? new Snapshot([leaf], [], Complete: false);
        return new PathOutcome(_trusted is not null, result.Path, result.Problems);
    }

    private void Extend()
    {
        ParsedCertificate child = _path[^1];
        int childPosition = _path.Count - 1;
        if (!SignatureAlgorithm.TryResolve(child.SignatureAlgorithm, out SignatureAlgorithm algorithm, out string? refused))
        {
            Record(complete: false, new PathProblem(CertificateProblemKinds.UnsupportedSignatureAlgorithm, childPosition, refused!));
            return;
        }

        List<Candidate> candidates = FindCandidates(child);
        if (candidates.Count == 0)
        {
            Record(complete: false, child.IsSelfIssued
                ? new PathProblem(CertificateProblemKinds.UntrustedRoot, childPosition, "The path ends in a self-issued certificate that is not in the trust store.")
                : new PathProblem(CertificateProblemKinds.PartialChain, childPosition, NoIssuerMessage(child)));
            return;
        }

        foreach (Candidate candidate in candidates)
        {
            if (_trusted is not null || !_budget.TryChargeCandidate())
            {
                return;
            }

            if (!TryVerify(child, candidate.Certificate, algorithm, out SignatureCheck check, out string? reason))
            {
                return;
            }

            if (check == SignatureCheck.Invalid)
            {
                Record(complete: false, new PathProblem(CertificateProblemKinds.BadSignature, childPosition, $"The signature does not verify with the key of \"{candidate.Certificate.Subject}\": {reason}"));
                continue;
            }

            if (check == SignatureCheck.UnusableKey)
            {
                _path.Add(candidate.Certificate);
                Record(complete: false, new PathProblem(CertificateProblemKinds.WeakKey, childPosition + 1, $"The issuer's key cannot be used to verify signatures: {reason}"));
                _path.RemoveAt(_path.Count - 1);
                continue;
            }

            int mark = _problems.Count;
            bool canContinue = Push(candidate.Certificate, candidate.IsAnchor);
            if (_budget.IsExhausted)
            {
                Pop(mark);
                return;
            }

            if (candidate.IsAnchor)
            {
                Complete();
            }
            else if (canContinue)
            {
                Extend();
            }
            else
            {
                Record(complete: false);
            }

            Pop(mark);
        }
    }

    /// <summary>Why no issuer of <paramref name="child"/> was found, naming a sent certificate that could not be used.</summary>
    private string NoIssuerMessage(ParsedCertificate child)
    {
        foreach (UnusableCertificate sent in _unusable)
        {
            if (sent.Subject is { } subject && subject.Equals(child.Issuer))
            {
                return $"The peer sent an issuer named \"{child.Issuer}\" (certificate {sent.Index} of its list) but it cannot be used: {sent.Reason}";
            }
        }

        string message = $"No issuer named \"{child.Issuer}\" was sent by the peer or is in the trust store.";
        foreach (UnusableCertificate sent in _unusable)
        {
            if (sent.Subject is null)
            {
                message += $" The peer also sent certificate {sent.Index} of its list, which cannot be read at all: {sent.Reason}";
            }
        }

        return message;
    }

    /// <summary>Adds an issuer to the path and the problems it brings; false when the path may not grow further.</summary>
    private bool Push(ParsedCertificate issuer, bool isAnchor)
    {
        int position = _path.Count;
        _path.Add(issuer);
        CertificateRules.CheckIssuer(issuer, position, isAnchor, isAnchor ? _anchors.ProfileOf(issuer) : TrustAnchorProfile.Strict, _settings, _problems);

        // Intermediates between the leaf and this issuer; self-issued ones do not count (RFC 5280 6.1.4 (l)).
        int intermediatesBelow = 0;
        for (int i = 1; i < position; i++)
        {
            if (!_path[i].IsSelfIssued)
            {
                intermediatesBelow++;
            }
        }

        if (issuer.BasicConstraints is { PathLength: int pathLength } && intermediatesBelow > pathLength)
        {
            _problems.Add(new(CertificateProblemKinds.PathLengthExceeded, position, $"pathLenConstraint {pathLength} allows {pathLength} intermediate(s) below this CA; the path has {intermediatesBelow}."));
        }

        if (issuer.NameConstraints is { } constraints)
        {
            for (int below = 0; below < position; below++)
            {
                ParsedCertificate subject = _path[below];
                if (below > 0 && subject.IsSelfIssued)
                {
                    continue;
                }

                NameConstraintOutcome outcome = NameConstraintChecker.Check(subject, constraints, _budget, out string? violation);
                if (outcome == NameConstraintOutcome.BudgetExceeded)
                {
                    return false;
                }

                if (outcome == NameConstraintOutcome.Violated)
                {
                    _problems.Add(new(CertificateProblemKinds.NameConstraintViolation, below, $"{violation} (name constraints of \"{issuer.Subject}\")"));
                }
            }
        }

        if (isAnchor)
        {
            return true;
        }

        int intermediates = intermediatesBelow + (issuer.IsSelfIssued ? 0 : 1);
        if (intermediates > _settings.MaxChainDepth || position > _settings.MaxChainDepth + ValidationSettings.SelfIssuedAllowance)
        {
            _problems.Add(new(CertificateProblemKinds.ChainTooLong, position, $"The path would need more than {_settings.MaxChainDepth} intermediate certificate(s)."));
            return false;
        }

        return true;
    }

    private void Pop(int mark)
    {
        _path.RemoveAt(_path.Count - 1);
        _problems.RemoveRange(mark, _problems.Count - mark);
    }

    /// <summary>The path ends in a trust anchor: check revocation, then keep it if it is the best so far.</summary>
    private void Complete()
    {
        var extra = new List<PathProblem>();
        if (_settings.Revocation.IsEnabled)
        {
            _revocation.Check(_path, extra);
        }

        if (_problems.Count == 0 && extra.Count == 0)
        {
            _trusted = new Snapshot([.. _path], [], Complete: true);
            return;
        }

        Record(complete: true, [.. extra]);
    }

    private void Record(bool complete, params ReadOnlySpan<PathProblem> extra)
    {
        var problems = new List<PathProblem>(_problems.Count + extra.Length);
        problems.AddRange(_problems);
        problems.AddRange(extra);
        var snapshot = new Snapshot([.. _path], problems, complete);
        if (snapshot.IsBetterThan(_best))
        {
            _best = snapshot;
        }
    }

    private bool TryVerify(ParsedCertificate child, ParsedCertificate issuer, SignatureAlgorithm algorithm, out SignatureCheck check, out string? reason)
    {
        var edge = new SignatureEdge(child, issuer.PublicKey.Encoded);
        if (_signatures.TryGetValue(edge, out (SignatureCheck Check, string? Reason) cached))
        {
            (check, reason) = cached;
            return true;
        }

        if (SignatureCache.IsKnownValid(child, issuer.PublicKey))
        {
            check = SignatureCheck.Valid;
            reason = null;
        }
        else if (issuer.PublicKey.ForbiddenReason is { } forbidden)
        {
            // No signature check is spent on a key that may not be used.
            check = SignatureCheck.UnusableKey;
            reason = forbidden;
        }
        else if (!_budget.TryChargeSignatureCheck())
        {
            check = default;
            reason = null;
            return false;
        }
        else
        {
            check = issuer.Verifier.Verify(child.TbsCertificate.Span, child.Signature.Span, algorithm, out reason);
            if (check == SignatureCheck.Valid)
            {
                SignatureCache.RememberValid(child, issuer.PublicKey);
            }
        }

        _signatures[edge] = (check, reason);
        return true;
    }

    /// <summary>The trust anchors, then the peer's certificates, whose subject is <paramref name="name"/>.</summary>
    public IEnumerable<ParsedCertificate> CertificatesNamed(DistinguishedName name)
    {
        foreach (ParsedCertificate anchor in _anchors.WithSubject(name).ToArray())
        {
            yield return anchor;
        }

        if (_intermediates.TryGetValue(name.CanonicalKey, out List<ParsedCertificate>? intermediates))
        {
            foreach (ParsedCertificate intermediate in intermediates)
            {
                yield return intermediate;
            }
        }
    }

    /// <summary>True when the certificate is one of the trust anchors (not merely one with the same name and key).</summary>
    public bool IsAnchor(ParsedCertificate certificate) => _anchors.Find(certificate) is not null;

    /// <summary>True when <paramref name="child"/>'s signature verifies with <paramref name="issuer"/>'s key, charged to the budget and cached like every edge of the path.</summary>
    public bool Verifies(ParsedCertificate child, ParsedCertificate issuer) =>
        SignatureAlgorithm.TryResolve(child.SignatureAlgorithm, out SignatureAlgorithm algorithm, out _) &&
        TryVerify(child, issuer, algorithm, out SignatureCheck check, out _) &&
        check == SignatureCheck.Valid;

    /// <summary>Issuers of <paramref name="child"/>: anchors first, then the peer's certificates; within each, the authority key identifier's match first, then those valid now.</summary>
    private List<Candidate> FindCandidates(ParsedCertificate child)
    {
        var candidates = new List<Candidate>();
        foreach (ParsedCertificate anchor in _anchors.WithSubject(child.Issuer))
        {
            if (!IsInPath(anchor))
            {
                candidates.Add(new Candidate(anchor, IsAnchor: true, Rank(child, anchor)));
            }
        }

        if (_intermediates.TryGetValue(child.Issuer.CanonicalKey, out List<ParsedCertificate>? intermediates))
        {
            foreach (ParsedCertificate intermediate in intermediates)
            {
                if (!IsInPath(intermediate))
                {
                    candidates.Add(new Candidate(intermediate, IsAnchor: false, Rank(child, intermediate)));
                }
            }
        }

        // A stable sort: the peer's order breaks ties.
        return [.. candidates.OrderBy(c => c.IsAnchor ? 0 : 1).ThenBy(c => c.Rank)];
    }

    private int Rank(ParsedCertificate child, ParsedCertificate issuer)
    {
        int rank = 0;
        if (child.AuthorityKeyIdentifier?.KeyIdentifier is { } keyIdentifier)
        {
            rank += issuer.SubjectKeyIdentifier is { } subjectKeyIdentifier && keyIdentifier.Span.SequenceEqual(subjectKeyIdentifier.Span) ? 0 : 2;
        }

        if (!_settings.HasReached(issuer.NotBefore) || !_settings.HasNotPassed(issuer.NotAfter))
        {
            rank += 1;
        }

        return rank;
    }

    /// <summary>True when the certificate, or another with the same subject and key, is already in the path (a loop).</summary>
    private bool IsInPath(ParsedCertificate certificate)
    {
        foreach (ParsedCertificate member in _path)
        {
            if (ReferenceEquals(member, certificate) ||
                (member.Subject.Equals(certificate.Subject) && member.PublicKey.Encoded.Span.SequenceEqual(certificate.PublicKey.Encoded.Span)))
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct Candidate(ParsedCertificate Certificate, bool IsAnchor, int Rank);

    private sealed record Snapshot(IReadOnlyList<ParsedCertificate> Path, IReadOnlyList<PathProblem> Problems, bool Complete)
    {
        public bool IsBetterThan(Snapshot? other)
        {
            if (other is null)
            {
                return true;
            }

            if (Complete != other.Complete)
            {
                return Complete;
            }

            if (Complete)
            {
                return Problems.Count != other.Problems.Count ? Problems.Count < other.Problems.Count : Path.Count < other.Path.Count;
            }

            return Path.Count != other.Path.Count ? Path.Count > other.Path.Count : Problems.Count < other.Problems.Count;
        }
    }

    /// <summary>A signature of a child by a key: the cache of checks, so one key is asked once per child.</summary>
    private readonly record struct SignatureEdge(ParsedCertificate Child, ReadOnlyMemory<byte> IssuerKey)
    {
        public static IEqualityComparer<SignatureEdge> Comparer { get; } = new EdgeComparer();

        private sealed class EdgeComparer : IEqualityComparer<SignatureEdge>
        {
            public bool Equals(SignatureEdge x, SignatureEdge y) =>
                ReferenceEquals(x.Child, y.Child) && x.IssuerKey.Span.SequenceEqual(y.IssuerKey.Span);

            public int GetHashCode(SignatureEdge edge)
            {
                var hash = new HashCode();
                hash.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(edge.Child));
                hash.AddBytes(edge.IssuerKey.Span);
                return hash.ToHashCode();
            }
        }
    }
}
