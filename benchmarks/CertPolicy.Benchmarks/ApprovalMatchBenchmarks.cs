using BenchmarkDotNet.Attributes;
using CertPolicy.Benchmarks.Support;

namespace CertPolicy.Benchmarks;

/// <summary>
/// What the engine pays to find the remembered approval that covers a certificate (a miss of the handshake cache under
/// Warn), by scope, against the exact lookup it did before scopes existed (<see cref="ApprovalStore.Find"/>, the
/// baseline). The server has <see cref="ApprovalsPerServer"/> approvals in a <see cref="FileApprovalStore"/>, the
/// covering one among them: the exact certificate, a renewal's key, or the issuer key whose signature on the leaf is
/// checked (remembered process-wide after the first check, as the path builder's are).
/// </summary>
[MemoryDiagnoser]
public class ApprovalMatchBenchmarks : IDisposable
{
    private BenchmarkChain _chain = null!;
    private string _folder = null!;
    private FileApprovalStore _store = null!;
    private CertificateSummary _leaf = null!;
    private CertificateFingerprint _sha256;

    [Params(1, 10)]
    public int ApprovalsPerServer { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chain = BenchmarkChain.Create(ChainKind.EcdsaP256);
        ValidationReport report = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) })
            .Validate(_chain.Leaf, [_chain.Intermediate], _chain.Identity);
        _leaf = report.Certificate!;
        _sha256 = CertificateFingerprint.Parse(_leaf.Sha256Fingerprint);
        _folder = Directory.CreateTempSubdirectory("certpolicy-bench-").FullName;
        _store = new FileApprovalStore(Path.Combine(_folder, "approvals.json"));
        var approvedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        for (int i = 1; i < ApprovalsPerServer; i++)
        {
            Save(new CertificateApproval(_chain.Identity, CertificateFingerprint.Compute(BitConverter.GetBytes(i)), report.Verdict.Kinds, approvedAt.AddDays(-i)));
        }

        var facts = new ApprovalFacts
        {
            Scope = ApprovalScope.Issuer,
            PublicKeySha256 = _leaf.PublicKeySha256,
            IssuerPublicKey = ApprovalMatching.IssuerKeyOf(report)!.Encoded.ToArray(),
            SubjectName = _leaf.Parsed!.Subject.Encoded.ToArray(),
        };

        // The covering approval is of another certificate (a renewal) except for the exact lookup's baseline.
        Save(new CertificateApproval(_chain.Identity, _sha256, report.Verdict.Kinds, approvedAt, null, [], facts with { Scope = ApprovalScope.Certificate }));
        Save(new CertificateApproval(_chain.Identity, CertificateFingerprint.Compute([1, 2, 3]), report.Verdict.Kinds, approvedAt, null, [], facts with { Scope = ApprovalScope.PublicKey }));
        Save(new CertificateApproval(_chain.Identity, CertificateFingerprint.Compute([4, 5, 6]), report.Verdict.Kinds, approvedAt, null, [], facts));
        // Written long ago: a stat alone proves the file unchanged (as on an agent), so no row pays a re-read.
        File.SetLastWriteTimeUtc(_store.FilePath, DateTime.UtcNow.AddMinutes(-10));
        Require(Match(ApprovalScope.PublicKey) && Match(ApprovalScope.Issuer) && ExactFind());
    }

    [Benchmark(Baseline = true)]
    public bool ExactFind() => _store.Find(_chain.Identity, _sha256) is not null;

    [Benchmark]
    public bool CertificateScope() => Match(ApprovalScope.Certificate);

    [Benchmark]
    public bool PublicKeyScope() => Match(ApprovalScope.PublicKey);

    [Benchmark]
    public bool IssuerScope() => Match(ApprovalScope.Issuer);

    public void Dispose()
    {
        _chain.Dispose();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The engine's loop: an approval of the scope's own kind covers the leaf.</summary>
    private bool Match(ApprovalScope scope)
    {
        IReadOnlyList<CertificateApproval> approvals = _store.FindForServer(_chain.Identity);
        for (int i = 0; i < approvals.Count; i++)
        {
            CertificateApproval approval = approvals[i];
            if (approval.Scope == scope && ApprovalMatching.CoversCertificate(approval, _leaf, _sha256, scope))
            {
                return true;
            }
        }

        return false;
    }

    private void Save(CertificateApproval approval) => _store.SaveAsync(approval).AsTask().GetAwaiter().GetResult();

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("The benchmark's approvals do not cover the leaf.");
        }
    }
}
