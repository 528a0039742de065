using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using CertPolicy.Benchmarks.Support;

namespace CertPolicy.Benchmarks;

/// <summary>
/// The fast path with 10, 1,000 and 100,000 distinct certificates cached. To fill 100,000 entries in seconds, the
/// leaves are byte-distinct copies of one leaf from a CA that is neither presented nor trusted: each is refused
/// (DeniedByPolicy) without a signature check, and that decision is cached under the same kind of key, with the same
/// hit path, as an acceptance. Each operation looks up the next of up to 1,024 cached leaves spread evenly over the cache,
/// so the cost must stay that of a hash lookup whatever the count. The set-up also measures what the cache holds
/// per entry and prints it (see <see cref="CacheMemory"/>).
/// </summary>
[MemoryDiagnoser]
public class CacheScaleBenchmarks : IDisposable
{
    private const int MaxProbes = 1024;

    private BenchmarkChain _chain = null!;
    private RemoteCertificateValidationCallback _callback = null!;
    private X509Certificate2[] _probes = [];
    private X509Chain[] _probeChains = [];
    private int _next;

    [Params(10, 1_000, 100_000)]
    public int CachedCertificates { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chain = BenchmarkChain.Create(ChainKind.EcdsaP256);
        CacheMemory memory = CacheMemory.Fill(_chain, CachedCertificates, out HandshakePolicy policy, out byte[][] leaves);
        Console.WriteLine(memory.ToString());
        _callback = policy.CreateValidationCallback(_chain.Identity);

        int probes = Math.Min(MaxProbes, leaves.Length);
        _probes = new X509Certificate2[probes];
        _probeChains = new X509Chain[probes];
        for (int i = 0; i < probes; i++)
        {
            _probes[i] = X509CertificateLoader.LoadCertificate(leaves[(int)((long)i * leaves.Length / probes)]);
            _probeChains[i] = _chain.CreateCallbackChain(_probes[i]);
        }

        int before = policy.CachedDecisionCount;
        for (int i = 0; i < probes; i++)
        {
            if (_callback(null!, _probes[i], _probeChains[i], BenchmarkChain.PlatformErrors))
            {
                throw new InvalidOperationException("A leaf without a path to the root was accepted.");
            }
        }

        if (policy.CachedDecisionCount != before || before != CachedCertificates)
        {
            throw new InvalidOperationException($"Expected {CachedCertificates} cached decisions and only hits, found {before} then {policy.CachedDecisionCount}.");
        }
    }

    /// <summary>The callback's decision for one of the cached leaves (the next one each time).</summary>
    [Benchmark]
    public bool CallbackWarm()
    {
        int next = _next;
        _next = next + 1 == _probes.Length ? 0 : next + 1;
        return _callback(null!, _probes[next], _probeChains[next], BenchmarkChain.PlatformErrors);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (X509Chain chain in _probeChains)
        {
            chain.Dispose();
        }

        foreach (X509Certificate2 probe in _probes)
        {
            probe.Dispose();
        }

        _chain?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>What filling a HandshakePolicy's decision cache with <see cref="Count"/> distinct leaves cost and holds.</summary>
/// <param name="Count">Distinct leaves decided (and cached).</param>
/// <param name="IssueTime">Time to make the leaves.</param>
/// <param name="FillTime">Time to decide every leaf through the callback (each a full validation that finds no path, then cached).</param>
/// <param name="RetainedBytes">Growth of the managed heap after a full collection, the leaves' DER excluded.</param>
/// <param name="AllocatedBytes">Bytes allocated on this thread while filling (the validations included).</param>
/// <param name="PresentedBytes">The DER of one presented chain (leaf, then leaf and intermediate again as the ExtraStore holds them), which each entry's key copies.</param>
public sealed record CacheMemory(int Count, TimeSpan IssueTime, TimeSpan FillTime, long RetainedBytes, long AllocatedBytes, int PresentedBytes)
{
    public double RetainedBytesPerEntry => (double)RetainedBytes / Count;

    public double AllocatedBytesPerValidation => (double)AllocatedBytes / Count;

    /// <summary>
    /// Makes <paramref name="count"/> distinct leaves and decides each through a new policy's callback, measuring the
    /// managed heap (after a full collection) and this thread's allocations before and after.
    /// </summary>
    public static CacheMemory Fill(BenchmarkChain chain, int count, out HandshakePolicy policy, out byte[][] leaves)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var clock = Stopwatch.StartNew();
        leaves = chain.ForgeDistinctUnanchoredLeaves(count);
        TimeSpan issueTime = clock.Elapsed;

        CertificateDecisionEngine engine = chain.CreateEngine();
        policy = new HandshakePolicy(() => engine, cacheCapacity: Math.Max(count, HandshakePolicy.DefaultCacheCapacity));
        RemoteCertificateValidationCallback callback = policy.CreateValidationCallback(chain.Identity);

        // Warm everything that is not per entry (type loading, the signature and key caches, the first decision).
        using (X509Certificate2 first = X509CertificateLoader.LoadCertificate(leaves[0]))
        using (X509Chain firstChain = chain.CreateCallbackChain(first))
        {
            _ = callback(null!, first, firstChain, BenchmarkChain.PlatformErrors);
        }

        policy.ClearCache();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        clock.Restart();
        foreach (byte[] der in leaves)
        {
            using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(der);
            using X509Chain presented = chain.CreateCallbackChain(leaf);
            if (callback(null!, leaf, presented, BenchmarkChain.PlatformErrors))
            {
                throw new InvalidOperationException("A leaf without a path to the root was accepted.");
            }
        }

        TimeSpan fillTime = clock.Elapsed;
        long allocatedAfter = GC.GetAllocatedBytesForCurrentThread();
        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(leaves);
        GC.KeepAlive(policy);
        return new CacheMemory(count, issueTime, fillTime, heapAfter - heapBefore, allocatedAfter - allocatedBefore, (2 * leaves[0].Length) + chain.Intermediate.RawData.Length);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"// CacheMemory: {Count:N0} entries, made in {IssueTime.TotalSeconds:F1} s, decided and cached in {FillTime.TotalSeconds:F1} s; "
        + $"retained {RetainedBytes:N0} B = {RetainedBytesPerEntry:N0} B per entry (presented DER {PresentedBytes:N0} B); allocated {AllocatedBytesPerValidation:N0} B per decision while filling");
}
