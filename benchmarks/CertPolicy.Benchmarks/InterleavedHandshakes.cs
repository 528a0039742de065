using System.Diagnostics;
using System.Globalization;
using CertPolicy.Benchmarks.Support;

namespace CertPolicy.Benchmarks;

/// <summary>
/// The end-to-end comparison with the three clients truly interleaved: in every round each client runs a batch of
/// sequential handshakes, in a rotating order, so drift in the machine's load hits all three alike. Reports the
/// median handshakes per second of each client and the median of the per-round ratios to the platform's validation.
/// BenchmarkDotNet (<see cref="HandshakeBenchmarks"/>) measures the clients one after the other; this complements it
/// on a machine that is not perfectly quiet.
/// </summary>
public static class InterleavedHandshakes
{
    public static async Task<int> RunAsync(int rounds, int handshakesPerBatch)
    {
        HandshakeClient[] clients = Enum.GetValues<HandshakeClient>();
        foreach (ChainKind kind in Enum.GetValues<ChainKind>())
        {
            using BenchmarkChain chain = BenchmarkChain.Create(kind);
            LoopbackTlsServer server = LoopbackTlsServer.Start(chain);
            await using (server.ConfigureAwait(false))
            {
                var handshakes = new HandshakeClients(chain, server.Port);
                Console.WriteLine(await handshakes.DescribeCallbackExtraStoreAsync(chain).ConfigureAwait(false));

                // Warm-up: JIT, OpenSSL, CertPolicy's decision cache.
                foreach (HandshakeClient client in clients)
                {
                    for (int i = 0; i < handshakesPerBatch; i++)
                    {
                        await handshakes.HandshakeAsync(client).ConfigureAwait(false);
                    }
                }

                var rates = clients.ToDictionary(c => c, _ => new List<double>(rounds));
                for (int round = 0; round < rounds; round++)
                {
                    for (int k = 0; k < clients.Length; k++)
                    {
                        HandshakeClient client = clients[(round + k) % clients.Length];
                        long start = Stopwatch.GetTimestamp();
                        for (int i = 0; i < handshakesPerBatch; i++)
                        {
                            await handshakes.HandshakeAsync(client).ConfigureAwait(false);
                        }

                        rates[client].Add(handshakesPerBatch / Stopwatch.GetElapsedTime(start).TotalSeconds);
                    }
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kind}: {rounds} rounds x {handshakesPerBatch} handshakes per client"));
                Console.WriteLine("| Client | Handshakes/s (median) | Ratio to Platform (median of rounds) |");
                Console.WriteLine("|---|---:|---:|");
                List<double> baseline = rates[HandshakeClient.Platform];
                foreach (HandshakeClient client in clients)
                {
                    List<double> own = rates[client];
                    double ratio = Median(own.Select((rate, i) => rate / baseline[i]));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {client} | {Median(own):N0} | {ratio:F3} |"));
                }

                Console.WriteLine();
            }
        }

        return 0;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
