using System.Globalization;
using BenchmarkDotNet.Running;
using CertPolicy.Benchmarks;
using CertPolicy.Benchmarks.Support;

// Two extra modes run outside BenchmarkDotNet; everything else goes to its switcher (--filter, --job, --list ...).
//   --cache-memory [count...]                 what the decision cache holds per entry (default 1000 and 100000)
//   --interleaved-handshakes [rounds] [batch] the end-to-end clients interleaved round by round (default 30 x 200)
if (args.Length > 0 && args[0] == "--cache-memory")
{
    int[] counts = args.Length > 1 ? [.. args.Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [1_000, 100_000];
    foreach (int count in counts)
    {
        using BenchmarkChain chain = BenchmarkChain.Create(ChainKind.EcdsaP256);
        Console.WriteLine(CacheMemory.Fill(chain, count, out _, out _).ToString());
    }

    return 0;
}

if (args.Length > 0 && args[0] == "--interleaved-handshakes")
{
    int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
    int batch = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
    return await InterleavedHandshakes.RunAsync(rounds, batch).ConfigureAwait(false);
}

BenchmarkSwitcher.FromAssembly(typeof(FastPathBenchmarks).Assembly).Run(args);
return 0;
