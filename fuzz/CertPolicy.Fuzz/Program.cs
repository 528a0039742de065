using SharpFuzz;

namespace CertPolicy.Fuzzing;

/// <summary>
/// <c>CertPolicy.Fuzz TARGET</c> runs a target under afl-fuzz (fuzz/run.sh starts it);
/// <c>CertPolicy.Fuzz replay TARGET FILE...</c> runs files through a target and says which break its contract;
/// <c>CertPolicy.Fuzz seeds FIXTURES CORPUS</c> writes the fixed PKI and the raw seed corpora.
/// </summary>
internal static class Program
{
    /// <summary>The per-call bound under the fuzzer: far above a normal call, well below afl-fuzz's own timeout.</summary>
    private static readonly TimeSpan FuzzCallBound = TimeSpan.FromSeconds(2);

    private static int Main(string[] args)
    {
        if (args.Length == 1 && FuzzTargets.Names.Contains(args[0]))
        {
            // Created on the first input: SharpFuzz's coverage map exists only once the fuzzing loop runs, and
            // instrumented CertPolicy code that runs earlier fails.
            FuzzTarget? target = null;
            Fuzzer.OutOfProcess.Run(stream =>
            {
                target ??= FuzzTargets.Create(args[0], FuzzCallBound);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                target.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
            });
            return 0;
        }

        if (args.Length >= 2 && args[0] == "replay" && FuzzTargets.Names.Contains(args[1]))
        {
            return Replay(FuzzTargets.Create(args[1], FuzzCallBound), args[2..]);
        }

        if (args.Length == 3 && args[0] == "seeds")
        {
            SeedWriter.Write(args[1], args[2]);
            return 0;
        }

        Console.Error.WriteLine($"usage: CertPolicy.Fuzz TARGET | replay TARGET FILE... | seeds FIXTURES_DIR CORPUS_DIR (targets: {string.Join(", ", FuzzTargets.Names)})");
        return 1;
    }

    private static int Replay(FuzzTarget target, string[] files)
    {
        int failed = 0;
        foreach (string file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"ok    {file}");
            }
#pragma warning disable CA1031 // Replay reports every failure, whatever its type, and goes on with the next file.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failed++;
                Console.WriteLine($"FAIL  {file}: {ex}");
            }
        }

        return failed == 0 ? 0 : 3;
    }
}
