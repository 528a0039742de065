using BenchmarkDotNet.Attributes;

namespace CertPolicy.Benchmarks;

/// <summary>
/// What the fast path pays to learn whether another process changed the approvals file, before it reuses a decision
/// taken from a remembered approval (<see cref="ApprovalStore.RefreshVersion"/>), against one <c>stat</c> of the file
/// (the baseline). Two rows: a settled file (last written long ago: the stamp alone proves it unchanged) and a file
/// written less than <c>ApprovalSnapshot.SettleDelay</c> ago (its stamp could hide a same-tick write, so every check
/// also reads the file and compares its bytes). The file holds <see cref="Approvals"/> approvals.
/// </summary>
[MemoryDiagnoser]
public class ApprovalsChangeCheckBenchmarks : IDisposable
{
    private string _folder = null!;
    private string _file = null!;
    private FileApprovalStore _settled = null!;
    private FileApprovalStore _recent = null!;

    [Params(10, 1000)]
    public int Approvals { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("certpolicy-bench-").FullName;
        _file = Path.Combine(_folder, "approvals.json");
        var writer = new FileApprovalStore(_file);
        var approvedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < Approvals; i++)
        {
            string host = $"server-{i:D5}.ems.example.test";
            CertificateFingerprint fingerprint = CertificateFingerprint.Compute(System.Text.Encoding.ASCII.GetBytes(host));
            writer.SaveAsync(new CertificateApproval(ServerIdentity.Create(host, 8443), fingerprint, CertificateProblemKinds.UntrustedRoot, approvedAt))
                .AsTask().GetAwaiter().GetResult();
        }

        DateTime written = DateTime.UtcNow.AddMinutes(-10);
        File.SetLastWriteTimeUtc(_file, written);

        // Settled: read with the real clock, ten minutes after the last write.
        _settled = new FileApprovalStore(_file);
        _ = _settled.RefreshVersion();
        _ = _settled.RefreshVersion();

        // Within the settle delay: a clock frozen one second after the last write, so no check ever settles.
        _recent = new FileApprovalStore(_file, new FrozenClock(new DateTimeOffset(written.AddSeconds(1), TimeSpan.Zero)));
        _ = _recent.RefreshVersion();
        if (_settled.RefreshVersion() == ApprovalStore.UnsettledVersion || _recent.RefreshVersion() == ApprovalStore.UnsettledVersion)
        {
            throw new InvalidOperationException("The approvals file must be readable.");
        }
    }

    /// <summary>One stat of the file: what any change check must cost at least.</summary>
    [Benchmark(Baseline = true)]
    public DateTime StatOfFile() => File.GetLastWriteTimeUtc(_file);

    /// <summary>The check on a file last written long ago.</summary>
    [Benchmark]
    public long RefreshVersionSettled() => _settled.RefreshVersion();

    /// <summary>The check on a file written less than the settle delay ago: a stat, a read and a byte comparison.</summary>
    [Benchmark]
    public long RefreshVersionJustWritten() => _recent.RefreshVersion();

    [GlobalCleanup]
    public void Dispose()
    {
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private sealed class FrozenClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
