using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using CertPolicy.Benchmarks.Support;

namespace CertPolicy.Benchmarks;

/// <summary>
/// The decision in the validation callback for a certificate seen before (the fast path), against hashing the leaf's
/// DER with SHA-256 once: about the cost of reading the certificate once. Goal: no allocation, within 2x the baseline.
/// </summary>
[MemoryDiagnoser]
public class FastPathBenchmarks : IDisposable
{
    private readonly byte[] _digest = new byte[SHA256.HashSizeInBytes];
    private BenchmarkChain _chain = null!;
    private X509Chain _callbackChain = null!;
    private RemoteCertificateValidationCallback _callback = null!;
    private byte[] _leafDer = null!;

    [Params(ChainKind.EcdsaP256, ChainKind.Rsa2048)]
    public ChainKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chain = BenchmarkChain.Create(Kind);
        _callbackChain = _chain.CreateCallbackChain();
        _callback = new HandshakePolicy(_chain.CreateEngine()).CreateValidationCallback(_chain.Identity);
        _leafDer = _chain.Leaf.RawData;
        if (!_callback(null!, _chain.Leaf, _callbackChain, BenchmarkChain.PlatformErrors))
        {
            throw new InvalidOperationException("The chain must be accepted before its decision can be cached.");
        }
    }

    /// <summary>SHA-256 of the leaf's DER, into a reused buffer.</summary>
    [Benchmark(Baseline = true)]
    public int Sha256OfLeaf() => SHA256.HashData(_leafDer, _digest);

    /// <summary>The callback's decision for the chain it decided before.</summary>
    [Benchmark]
    public bool CallbackWarm() => _callback(null!, _chain.Leaf, _callbackChain, BenchmarkChain.PlatformErrors);

    [GlobalCleanup]
    public void Dispose()
    {
        _callbackChain?.Dispose();
        _chain?.Dispose();
        GC.SuppressFinalize(this);
    }
}
