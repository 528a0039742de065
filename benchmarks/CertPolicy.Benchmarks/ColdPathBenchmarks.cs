using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using CertPolicy.Benchmarks.Support;

namespace CertPolicy.Benchmarks;

/// <summary>
/// The first, full validation of a certificate in the callback (a miss of the HandshakePolicy decision cache),
/// against the naive callback (a fresh X509Chain with custom root trust per handshake). Goals: cold no slower than
/// the naive callback, warm at least 100x faster.
/// <list type="bullet">
/// <item><see cref="CallbackColdCacheMiss"/>: the same chain every time, the decision cache emptied before each
/// call. The process-wide signature cache still holds both signatures and the imported intermediate key, so this is
/// the cost of parsing, path building, name matching, the decision and caching it, without signature checks.</item>
/// <item><see cref="CallbackColdNewCertificate"/>: a leaf never seen before on every call, from a pool of distinct
/// leaves under the same intermediate, larger than both caches, so the decision cache misses and the leaf's
/// signature is verified. The intermediate's signature and key stay cached (the realistic case: a renewed
/// server certificate under a known CA).</item>
/// <item><see cref="FloorNeverSeenCertificate"/>: the least any validator must do for such a leaf: parse it and
/// verify its signature with the issuer's key (imported once, before the run). <see cref="CallbackColdNewCertificate"/>
/// is reported in benchmarks/RESULTS.md as a ratio to it.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class ColdPathBenchmarks : IDisposable
{
    /// <summary>Larger than the signature cache (2,048 signatures) and the decision cache (1,024 decisions).</summary>
    private const int PoolSize = 4096;

    private BenchmarkChain _chain = null!;
    private X509Chain _callbackChain = null!;
    private RemoteCertificateValidationCallback _naive = null!;
    private HandshakePolicy _coldPolicy = null!;
    private RemoteCertificateValidationCallback _cold = null!;
    private RemoteCertificateValidationCallback _fresh = null!;
    private RemoteCertificateValidationCallback _warm = null!;
    private X509Certificate2[] _pool = [];
    private X509Chain[] _poolChains = [];
    private byte[][] _poolDer = [];
    private SignatureVerifier _issuerKey = null!;
    private int _next;
    private int _nextFloor;

    [Params(ChainKind.EcdsaP256, ChainKind.Rsa2048)]
    public ChainKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chain = BenchmarkChain.Create(Kind);
        _callbackChain = _chain.CreateCallbackChain();
        _naive = NaiveValidation.CreateCallback(_chain.Root);
        _coldPolicy = new HandshakePolicy(_chain.CreateEngine());
        _cold = _coldPolicy.CreateValidationCallback(_chain.Identity);
        _fresh = new HandshakePolicy(_chain.CreateEngine()).CreateValidationCallback(_chain.Identity);
        _warm = new HandshakePolicy(_chain.CreateEngine()).CreateValidationCallback(_chain.Identity);
        Require(_naive(null!, _chain.Leaf, _callbackChain, BenchmarkChain.PlatformErrors), "naive");
        Require(_warm(null!, _chain.Leaf, _callbackChain, BenchmarkChain.PlatformErrors), "warm");
    }

    [GlobalSetup(Targets = [nameof(CallbackColdNewCertificate), nameof(FloorNeverSeenCertificate)])]
    public void SetupPool()
    {
        Setup();
        _poolDer = _chain.IssueDistinctLeaves(PoolSize);
        _pool = Array.ConvertAll(_poolDer, der => X509CertificateLoader.LoadCertificate(der));
        if (!ParsedCertificate.TryParse(_chain.Intermediate.RawDataMemory, out ParsedCertificate? issuer, out string? error))
        {
            throw new InvalidOperationException($"The benchmark intermediate does not parse: {error}");
        }

        // The issuer's key, imported once (as the validator's signature cache holds it for a known CA).
        _issuerKey = new SignatureVerifier(issuer.PublicKey);
        Require(FloorOf(_poolDer[^1]), "floor");
        _poolChains = Array.ConvertAll(_pool, leaf => _chain.CreateCallbackChain(leaf));

        // The last leaf is the one used longest after this check, so its cached signature is long gone by then.
        Require(_fresh(null!, _pool[^1], _poolChains[^1], BenchmarkChain.PlatformErrors), "cold (new certificate)");
    }

    /// <summary>The naive callback: a new X509Chain with custom root trust, built and disposed.</summary>
    [Benchmark(Baseline = true)]
    public bool NaiveCallback() => _naive(null!, _chain.Leaf, _callbackChain, BenchmarkChain.PlatformErrors);

    /// <summary>CertPolicy's callback, same chain, decision cache emptied first (signature cache warm).</summary>
    [Benchmark]
    public bool CallbackColdCacheMiss()
    {
        _coldPolicy.ClearCache();
        return _cold(null!, _chain.Leaf, _callbackChain, BenchmarkChain.PlatformErrors);
    }

    /// <summary>CertPolicy's callback with a leaf it has never seen (its signature verified).</summary>
    [Benchmark]
    public bool CallbackColdNewCertificate()
    {
        int next = _next;
        _next = next + 1 == _pool.Length ? 0 : next + 1;
        return _fresh(null!, _pool[next], _poolChains[next], BenchmarkChain.PlatformErrors);
    }

    /// <summary>The floor for a never-seen leaf: parse it and verify its signature with the issuer's imported key.</summary>
    [Benchmark]
    public bool FloorNeverSeenCertificate()
    {
        int next = _nextFloor;
        _nextFloor = next + 1 == _poolDer.Length ? 0 : next + 1;
        return FloorOf(_poolDer[next]);
    }

    /// <summary>CertPolicy's callback for the chain it decided before (the fast path), for the ratio.</summary>
    [Benchmark]
    public bool CallbackWarm() => _warm(null!, _chain.Leaf, _callbackChain, BenchmarkChain.PlatformErrors);

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (X509Chain chain in _poolChains)
        {
            chain.Dispose();
        }

        foreach (X509Certificate2 leaf in _pool)
        {
            leaf.Dispose();
        }

        _callbackChain?.Dispose();
        _chain?.Dispose();
        GC.SuppressFinalize(this);
    }

    private bool FloorOf(byte[] der) =>
        ParsedCertificate.TryParse(der, out ParsedCertificate? leaf, out _)
        && SignatureAlgorithm.TryResolve(leaf.SignatureAlgorithm, out SignatureAlgorithm algorithm, out _)
        && _issuerKey.Verify(leaf.TbsCertificate.Span, leaf.Signature.Span, algorithm, out _) == SignatureCheck.Valid;

    private static void Require(bool accepted, string what)
    {
        if (!accepted)
        {
            throw new InvalidOperationException($"The {what} callback refused the benchmark chain.");
        }
    }
}
