using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// Judges a server's certificates: the modern verdict (identity, validity, path to a trusted root) and, when an
/// expected subject is configured, the legacy verdict beside it. Thread-safe; create one per endpoint profile.
/// </summary>
/// <remarks>
/// The modern verdict comes from this library's own RFC 5280 path builder, the same on every operating system: the
/// certificates are parsed strictly (DER), a path is searched from the leaf through the peer's other certificates
/// (in any order; duplicates and undecodable extras are ignored) to an anchor of <see cref="TrustStore"/>, with
/// backtracking and a work budget, and the leaf is held to the TLS server profile of RFC 5280 and the CA/Browser
/// Forum Baseline Requirements. Every problem found is reported with the certificate it concerns. Nothing is fetched
/// from the network: no AIA chasing, no OCSP; CRLs are checked only when given in
/// <see cref="CertificateValidatorOptions.RevocationLists"/>.
/// </remarks>
public sealed class CertificateValidator
{
    private readonly int _maxChainDepth;
    private readonly int _maxSignatureChecks;
    private readonly string _requiredExtendedKeyUsage;
    private readonly RevocationLists _revocation;

    /// <summary>Creates a validator.</summary>
    /// <param name="options">The settings; copied, and checked with <see cref="CertificateValidatorOptions.Validate"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public CertificateValidator(CertificateValidatorOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TimeProvider = timeProvider ?? TimeProvider.System;
        TrustStore = options.TrustStore;
        Mode = options.Mode;
        ExpectedSubject = options.ExpectedSubject;
        AcceptCommonNameWithoutSubjectAltName = options.AcceptCommonNameWithoutSubjectAltName;
        ClockSkew = options.ClockSkew;
        _maxChainDepth = options.MaxChainDepth;
        _maxSignatureChecks = options.MaxSignatureChecks;
        _requiredExtendedKeyUsage = options.RequiredExtendedKeyUsage.Trim();
        _revocation = options.RevocationLists.Count == 0 ? RevocationLists.None : new RevocationLists(options.RevocationLists);
    }

    /// <summary>How far the clock may be off when validity periods are checked.</summary>
    internal TimeSpan ClockSkew { get; }

    /// <summary>The clock this validator reads.</summary>
    internal TimeProvider TimeProvider { get; }

    /// <summary>The trust store this validator builds paths to.</summary>
    internal TrustStore TrustStore { get; }

    /// <summary>
    /// When true, the leaf is judged for any purpose: no purpose is required of the leaf's or the CAs' extendedKeyUsage
    /// (the conformance harness's reading of a case that names none); the leaf must still carry the extension. Internal:
    /// a TLS client always has a purpose.
    /// </summary>
    internal bool AnyPurpose { get; init; }

    /// <summary>Which verdict decides validity.</summary>
    public ValidationMode Mode { get; }

    /// <summary>The subject common name legacy agents expect, if any.</summary>
    public string? ExpectedSubject { get; }

    /// <summary>True when a DNS name found only in the subject common name of a certificate without subjectAltName is accepted (with a notice).</summary>
    public bool AcceptCommonNameWithoutSubjectAltName { get; }

    /// <summary>Validates the certificates a server sent, leaf first, for the identity the agent expects.</summary>
    /// <param name="peerCertificates">The DER of each certificate the server sent, leaf first. May be empty (reported as <see cref="CertificateProblemKinds.NoCertificate"/>).</param>
    /// <param name="identity">The server the agent meant to reach.</param>
    /// <returns>The report; never throws for bad certificate input.</returns>
    public ValidationReport Validate(IReadOnlyList<ReadOnlyMemory<byte>> peerCertificates, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(peerCertificates);
        ArgumentNullException.ThrowIfNull(identity);
        return ValidateCore(peerCertificates, identity, out _);
    }

    /// <summary>
    /// Validates certificates without checking whose they are: everything <see cref="Validate(IReadOnlyList{ReadOnlyMemory{byte}}, ServerIdentity)"/>
    /// checks except the identity (the host name or IP address, and the server-only rules about the subject common name).
    /// For client certificates (set <see cref="CertificateValidatorOptions.RequiredExtendedKeyUsage"/> to clientAuth) or
    /// for inspecting a certificate offline; never use it to decide whether to trust a server connection, since any
    /// certificate for any name issued under a trusted root passes it.
    /// </summary>
    /// <param name="peerCertificates">The DER of each certificate, leaf first. May be empty (reported as <see cref="CertificateProblemKinds.NoCertificate"/>).</param>
    /// <returns>The report, with <see cref="ValidationReport.Identity"/> null; never throws for bad certificate input.</returns>
    public ValidationReport ValidateWithoutIdentity(IReadOnlyList<ReadOnlyMemory<byte>> peerCertificates)
    {
        ArgumentNullException.ThrowIfNull(peerCertificates);
        return ValidateCore(peerCertificates, identity: null, out _);
    }

    /// <summary>Validates a leaf and the intermediates the server sent with it, for the identity the agent expects.</summary>
    /// <param name="leaf">The server's certificate.</param>
    /// <param name="intermediates">Other certificates the server sent, in any order; null for none.</param>
    /// <param name="identity">The server the agent meant to reach.</param>
    /// <returns>The report; never throws for bad certificate input.</returns>
    public ValidationReport Validate(X509Certificate2 leaf, IEnumerable<X509Certificate2>? intermediates, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(identity);
        List<ReadOnlyMemory<byte>> der = [leaf.RawDataMemory];
        if (intermediates is not null)
        {
            foreach (X509Certificate2 certificate in intermediates)
            {
                ArgumentNullException.ThrowIfNull(certificate, nameof(intermediates));
                der.Add(certificate.RawDataMemory);
            }
        }

        return Validate(der, identity);
    }

    /// <summary>
    /// True while this validator would give <paramref name="report"/>'s verdict again for the same certificates: the
    /// report is one of its own, its trust store has the same anchors, and the clock is inside the report's interval.
    /// </summary>
    internal bool StillHolds(ValidationReport report) =>
        report.Anchors is { } anchors
        && ReferenceEquals(anchors, TrustStore.GetAnchors())
        && report.HoldsDuring.Contains(TimeProvider.GetUtcNow());

    /// <summary>The validation itself; <paramref name="budget"/> tells how much work it took (for tests and diagnostics).</summary>
    internal ValidationReport ValidateCore(IReadOnlyList<ReadOnlyMemory<byte>> peerCertificates, ServerIdentity? identity, out WorkBudget budget)
    {
        // One clock read and one anchors snapshot for the whole validation: the verdict and the interval it holds
        // over are both computed from them.
        DateTimeOffset now = TimeProvider.GetUtcNow();
        TrustAnchors trusted = TrustStore.GetAnchors();
        budget = new WorkBudget(_maxSignatureChecks);
        if (peerCertificates.Count == 0)
        {
            var none = new CertificateProblem(CertificateProblemKinds.NoCertificate, -1, null, "The peer sent no certificate.");
            return Report(identity, new ValidationVerdict([none]), ExpectedSubject is null ? null : new ValidationVerdict([none]), null, [], now, InstantInterval.Unbounded, trusted);
        }

        if (!ParsedCertificate.TryParse(peerCertificates[0], out ParsedCertificate? leaf, out string? error))
        {
            var malformed = new CertificateProblem(CertificateProblemKinds.MalformedCertificate, 0, null, error);
            return Report(identity, new ValidationVerdict([malformed]), ExpectedSubject is null ? null : new ValidationVerdict([malformed]), null, [], now, InstantInterval.Unbounded, trusted);
        }

        List<ParsedCertificate> intermediates = UnusableCertificate.ParseIssuers(peerCertificates, leaf, out List<UnusableCertificate> unusable);
        var settings = new ValidationSettings(now, ClockSkew, _maxChainDepth, _maxSignatureChecks, AnyPurpose ? null : _requiredExtendedKeyUsage, _revocation);
        AnchorIndex anchors = AnchorIndex.For(trusted);
        bool leafIsAnchor = anchors.Find(leaf) is not null;

        var problems = new List<PathProblem>();
        var notices = new List<PathProblem>();
        CertificateRules.CheckLeaf(leaf, leafIsAnchor, checksServerIdentity: identity is not null, settings, problems);
        if (identity is not null)
        {
            CheckIdentity(leaf, identity, problems, notices);
        }

        foreach (string crlError in _revocation.Errors)
        {
            problems.Add(new(CertificateProblemKinds.MalformedCertificate, -1, $"A supplied revocation list cannot be used: {crlError}"));
        }

        PathOutcome outcome = new PathBuilder(settings, anchors, intermediates, budget, unusable).Build(leaf, leafIsAnchor);
        problems.AddRange(outcome.Problems);
        RefuseCommonNameUnderNameConstraints(outcome.Path, identity, problems, notices);
        if (budget.IsExhausted && !outcome.IsTrusted)
        {
            problems.Add(new(CertificateProblemKinds.WorkBudgetExceeded, -1, $"{budget.Describe()}; the peer's certificates are not a usable chain."));
        }

        ValidationVerdict modern = ToVerdict(problems, notices, outcome.Path);
        ValidationVerdict? legacy = ExpectedSubject is null
            ? null
            : LegacySubjectRule.Evaluate(ExpectedSubject, leaf.Subject.ValuesOf(Oids.CommonName), leaf.Subject.ToString());
        var path = new List<CertificateSummary>(outcome.Path.Count);
        foreach (ParsedCertificate certificate in outcome.Path)
        {
            path.Add(certificate.ToSummary());
        }

        return Report(identity, modern, legacy, path[0], path, now, HoldsDuring(settings, leaf, intermediates, outcome.Path), trusted);
    }

    /// <summary>
    /// The instants at which this validation's verdict stays the same: inside the validity of every certificate it
    /// looked at (the leaf, every usable certificate the peer sent, since one passed over as not yet valid may become
    /// the better issuer, and the path judged, its anchor included), and of every supplied revocation list, which
    /// comes into effect at thisUpdate and stops counting after nextUpdate.
    /// </summary>
    private InstantInterval HoldsDuring(ValidationSettings settings, ParsedCertificate leaf, List<ParsedCertificate> intermediates, IReadOnlyList<ParsedCertificate> path)
    {
        InstantInterval holds = settings.Narrow(InstantInterval.Unbounded, leaf.NotBefore, leaf.NotAfter);
        foreach (ParsedCertificate certificate in intermediates)
        {
            holds = settings.Narrow(holds, certificate.NotBefore, certificate.NotAfter);
        }

        foreach (ParsedCertificate certificate in path)
        {
            holds = settings.Narrow(holds, certificate.NotBefore, certificate.NotAfter);
        }

        foreach (ParsedCrl crl in _revocation.Lists)
        {
            holds = settings.Narrow(holds, crl.ThisUpdate, crl.NextUpdate ?? DateTimeOffset.MaxValue);
        }

        return holds;
    }

    private void CheckIdentity(ParsedCertificate leaf, ServerIdentity identity, List<PathProblem> problems, List<PathProblem> notices)
    {
        if (leaf.SubjectAlternativeNameExtension is null)
        {
            if (!AcceptCommonNameWithoutSubjectAltName)
            {
                problems.Add(new(CertificateProblemKinds.NameMismatch, 0, $"The certificate has no subjectAltName, so it names no server; the subject common name is never used. Expected {identity.Host}."));
            }
            else if (CommonNameIdentity.Accepts(identity, leaf.Subject.ValuesOf(Oids.CommonName), out string reason))
            {
                notices.Add(new(CertificateProblemKinds.NameOnlyInCommonName, 0, reason));
            }
            else
            {
                problems.Add(new(CertificateProblemKinds.NameMismatch, 0, reason));
            }

            return;
        }

        HostNameMatch match = HostNameMatcher.Match(identity, leaf.DnsNames, leaf.IPAddresses);
        if (!match.IsMatch)
        {
            problems.Add(new(CertificateProblemKinds.NameMismatch, 0, match.Reason));
        }
    }

    /// <summary>
    /// Name constraints restrict subjectAltName entries, not common names: a name accepted from the common name under
    /// an issuer with name constraints would escape them, so it is not accepted there (fail closed).
    /// </summary>
    private static void RefuseCommonNameUnderNameConstraints(IReadOnlyList<ParsedCertificate> path, ServerIdentity? identity, List<PathProblem> problems, List<PathProblem> notices)
    {
        if (notices.Count == 0)
        {
            return;
        }

        for (int i = 1; i < path.Count; i++)
        {
            if (path[i].NameConstraints is not null)
            {
                notices.RemoveAll(n => n.Kind == CertificateProblemKinds.NameOnlyInCommonName);
                problems.Add(new(
                    CertificateProblemKinds.NameMismatch,
                    0,
                    $"The certificate has no subjectAltName, and its subject common name is not accepted as {identity?.Host} because an issuer in its path ({path[i].Subject}) has name constraints, which do not apply to a common name."));
                return;
            }
        }
    }

    private static ValidationVerdict ToVerdict(List<PathProblem> problems, List<PathProblem> notices, IReadOnlyList<ParsedCertificate> path)
    {
        if (problems.Count == 0 && notices.Count == 0)
        {
            return ValidationVerdict.Valid;
        }

        return new ValidationVerdict(ToProblems(problems, path), ToProblems(notices, path));
    }

    private static List<CertificateProblem> ToProblems(List<PathProblem> problems, IReadOnlyList<ParsedCertificate> path)
    {
        var seen = new HashSet<PathProblem>();
        var list = new List<CertificateProblem>(problems.Count);
        foreach (PathProblem problem in problems.OrderBy(p => p.Position < 0 ? int.MaxValue : p.Position))
        {
            if (seen.Add(problem))
            {
                string? subject = problem.Position >= 0 && problem.Position < path.Count ? path[problem.Position].Subject.ToString() : null;
                list.Add(new CertificateProblem(problem.Kind, problem.Position, subject, problem.Message));
            }
        }

        return list;
    }

    private ValidationReport Report(ServerIdentity? identity, ValidationVerdict modern, ValidationVerdict? legacy, CertificateSummary? certificate, IReadOnlyList<CertificateSummary> path, DateTimeOffset now, InstantInterval holds, TrustAnchors anchors) =>
        new(Mode, identity, modern, legacy, certificate, path, now) { HoldsDuring = holds, Anchors = anchors };
}
