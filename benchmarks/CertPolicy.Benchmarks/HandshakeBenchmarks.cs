using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using CertPolicy.Benchmarks.Support;

namespace CertPolicy.Benchmarks;

/// <summary>
/// End to end: one full TLS 1.3 handshake over loopback per operation (new connection, no resumption), against an
/// SslStream server in this process. Baseline: the platform's own validation with custom root trust. Goal:
/// CertPolicy (warm) at least 0.97x the baseline's handshakes per second and faster than the naive callback.
/// Both ends of the handshake run on this machine, so the times include the server's work.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class HandshakeBenchmarks : IDisposable
{
    private BenchmarkChain _chain = null!;
    private LoopbackTlsServer _server = null!;
    private HandshakeClients _clients = null!;

    [Params(ChainKind.EcdsaP256, ChainKind.Rsa2048)]
    public ChainKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chain = BenchmarkChain.Create(Kind);
        _server = LoopbackTlsServer.Start(_chain);
        _clients = new HandshakeClients(_chain, _server.Port);

        Console.WriteLine(_clients.DescribeCallbackExtraStoreAsync(_chain).GetAwaiter().GetResult());

        // Every client must succeed before anything is timed; this also warms CertPolicy's decision cache.
        foreach (HandshakeClient client in Enum.GetValues<HandshakeClient>())
        {
            _clients.HandshakeAsync(client).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public Task PlatformValidation() => _clients.HandshakeAsync(HandshakeClient.Platform);

    [Benchmark]
    public Task NaiveCallback() => _clients.HandshakeAsync(HandshakeClient.Naive);

    [Benchmark]
    public Task CertPolicyWarm() => _clients.HandshakeAsync(HandshakeClient.CertPolicy);

    [GlobalCleanup]
    public void Dispose()
    {
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();

        _chain?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Adds handshakes per second (operations per second) next to the mean.</summary>
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
