using System.Security.Cryptography;
using CertPolicy.Tests.Support;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Hostile.Properties;

/// <summary>Properties of the decision table (docs/decisions.md) over random reports, approvals and prompt answers.</summary>
public sealed class DecisionEngineProperties
{
    private static readonly CertificateProblemKinds[] AllKinds =
        [.. Enum.GetValues<CertificateProblemKinds>().Where(k => k is not CertificateProblemKinds.None and not CertificateProblemKinds.NameOnlyInCommonName)];

    private static readonly Lazy<CertificateValidator> Validator = new(() =>
        new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }, new FakeTimeProvider(TestPki.Now)));

    /// <summary>A random non-empty set of problem kinds.</summary>
    private static readonly Gen<CertificateProblemKinds> Problems = Gen.Int[0, AllKinds.Length - 1].Array[1, 5]
        .Select(indexes => indexes.Aggregate(CertificateProblemKinds.None, (kinds, i) => kinds | AllKinds[i]));

    private static readonly Gen<ServerIdentity> Server = Gen.Select(
        Gen.OneOf("ems.example.test", "EMS.example.test.", "other.example.test", "192.0.2.1", "[2001:db8::1]"),
        Gen.OneOf(443, 8443),
        (host, port) => ServerIdentity.Create(host, port));

    private static readonly Gen<string> Fingerprint = Gen.Int[0, 3].Select(i => Convert.ToHexString(SHA256.HashData([(byte)i])));

    /// <summary>
    /// A report as a validator would make it: modern and, sometimes, legacy verdicts with random problems, in either mode.
    /// Every report is invalid for its mode, except that the other mode's verdict may be valid.
    /// </summary>
    private static readonly Gen<ValidationReport> InvalidReport = Gen.Select(Gen.Bool, Problems, Gen.Int[0, 2], Server, Fingerprint, Gen.Bool)
        .Select((legacyMode, kinds, otherVerdict, server, sha256, withCertificate) =>
        {
            ValidationVerdict deciding = Verdict(kinds);
            ValidationVerdict? other = otherVerdict switch
            {
                0 => legacyMode ? ValidationVerdict.Valid : null,
                1 => ValidationVerdict.Valid,
                _ => Verdict(kinds ^ CertificateProblemKinds.Expired),
            };
            CertificateSummary? summary = withCertificate ? Summary(server, sha256) : null;
            return legacyMode
                ? new ValidationReport(ValidationMode.Legacy, server, other!, deciding, summary, summary is null ? [] : [summary], TestPki.Now)
                : new ValidationReport(ValidationMode.Modern, server, deciding, other, summary, summary is null ? [] : [summary], TestPki.Now);
        });

    /// <summary>Approvals for the servers and fingerprints the reports use, with random problems, so that some match exactly.</summary>
    private static readonly Gen<CertificateApproval[]> Approvals = Gen.Select(Server, Fingerprint, Problems)
        .Select((server, sha256, kinds) => new CertificateApproval(server, CertificateFingerprint.Parse(sha256), kinds, TestPki.Now))
        .Array[0, 6];

    [Fact]
    public void Under_deny_an_invalid_certificate_never_connects_whatever_was_approved_or_would_be_answered()
    {
        Gen.Select(InvalidReport, Approvals, Gen.Enum<PromptAnswer>())
            .Sample(
                (report, approvals, answer) =>
                {
                    Assert.False(report.IsValid);
                    var store = new InMemoryApprovalStore();
                    foreach (CertificateApproval approval in approvals)
                    {
                        store.SaveAsync(approval).AsTask().GetAwaiter().GetResult();
                    }

                    // Also an approval for exactly this report, so a Deny that looked at approvals would be caught.
                    if (report.Identity is { } server && report.Certificate is { } certificate)
                    {
                        store.SaveAsync(new CertificateApproval(server, CertificateFingerprint.Parse(certificate.Sha256Fingerprint), report.Verdict.Kinds, TestPki.Now)).AsTask().GetAwaiter().GetResult();
                    }

                    var prompt = new CountingPrompt(answer);
                    var engine = new CertificateDecisionEngine(Validator.Value, new CertificateDecisionEngineOptions
                    {
                        InvalidCertificateAction = InvalidCertificateAction.Deny,
                        Approvals = store,
                        Prompt = prompt,
                    });

                    CertificateDecision asked = engine.DecideAsync(report).AsTask().GetAwaiter().GetResult();
                    CertificateDecision silent = engine.DecideWithoutPrompt(report);

                    foreach (CertificateDecision decision in new[] { asked, silent })
                    {
                        Assert.False(decision.ShouldConnect);
                        Assert.Equal(DecisionOutcome.Refuse, decision.Outcome);
                        Assert.Equal(DecisionReason.DeniedByPolicy, decision.Reason);
                        Assert.Same(report, decision.Report);
                    }

                    Assert.Equal(0, prompt.Calls);
                },
                iter: 300,
                threads: 1);
    }

    [Fact]
    public void Under_warn_without_a_prompt_only_an_approval_of_exactly_these_problems_connects()
    {
        Gen.Select(InvalidReport, Approvals)
            .Sample(
                (report, approvals) =>
                {
                    var store = new InMemoryApprovalStore();
                    foreach (CertificateApproval approval in approvals)
                    {
                        store.SaveAsync(approval).AsTask().GetAwaiter().GetResult();
                    }

                    var engine = new CertificateDecisionEngine(Validator.Value, new CertificateDecisionEngineOptions { Approvals = store });
                    CertificateDecision decision = engine.DecideWithoutPrompt(report);

                    bool approved = report.Identity is { } server
                        && report.Certificate is { } certificate
                        && store.Find(server, CertificateFingerprint.Parse(certificate.Sha256Fingerprint)) is { } found
                        && found.AcceptedProblems == report.Verdict.Kinds;
                    Assert.Equal(approved, decision.ShouldConnect);
                    Assert.Equal(
                        approved ? DecisionReason.RememberedApproval
                            : report.Identity is null || report.Certificate is null ? DecisionReason.NotApprovable
                            : DecisionReason.NoPrompt,
                        decision.Reason);
                },
                iter: 300,
                threads: 1);
    }

    private static ValidationVerdict Verdict(CertificateProblemKinds kinds) =>
        new([.. AllKinds.Where(k => kinds.HasFlag(k)).Select(k => new CertificateProblem(k, 0, "CN=random", $"random {k}"))]);

    private static CertificateSummary Summary(ServerIdentity server, string sha256) =>
        new("CN=" + server.Host, "CN=Random Issuer", "01", TestPki.DefaultNotBefore, TestPki.DefaultNotAfter, sha256, [server.Host], []);

    private sealed class CountingPrompt(PromptAnswer answer) : ICertificatePrompt
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return ValueTask.FromResult(answer);
        }
    }
}
