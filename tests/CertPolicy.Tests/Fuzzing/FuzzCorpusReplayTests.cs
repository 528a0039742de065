using CertPolicy.Fuzzing;

namespace CertPolicy.Tests.Fuzzing;

/// <summary>
/// Replays every seed corpus file (fuzz/corpus/TARGET) and every file the fuzzer found (FuzzRegressions/TARGET)
/// through the same fuzz target code afl-fuzz runs (fuzz/Targets, compiled into this project), so CI checks without
/// AFL that the library still keeps each target's contract on them and that nothing found before comes back.
/// </summary>
public sealed class FuzzCorpusReplayTests
{
    /// <summary>
    /// A hang guard, not a speed test: a call that once hung fails here instead of stalling the run. The fuzzer holds
    /// the targets to 2 seconds a call.
    /// </summary>
    private static readonly TimeSpan ReplayCallBound = TimeSpan.FromSeconds(10);

    private static readonly Dictionary<string, FuzzTarget> Targets = [];

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach ((string target, string file) in Files())
        {
            data.Add(target, Path.GetRelativePath(AppContext.BaseDirectory, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_input_keeps_the_targets_contract(string target, string file)
    {
        byte[] input = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, file));

        Target(target).Run(input);
    }

    [Fact]
    public void Every_target_has_a_seed_corpus()
    {
        string[] seeded = [.. Files().Where(f => f.File.Contains("FuzzCorpus", StringComparison.Ordinal)).Select(f => f.Target).Distinct()];

        Assert.Equal(FuzzTargets.Names.Order(), seeded.Order());
    }

    [Theory]
    [InlineData("certificate")]
    [InlineData("crl")]
    public void The_fixed_inputs_are_the_only_valid_ones(string target)
    {
        // The contract these targets check cuts both ways: the genuine bytes must be judged valid (the target throws
        // otherwise), and the same bytes with one bit of the signature flipped must not be.
        byte[] genuine = target == "certificate" ? [0, .. FuzzFixtures.Leaf] : FuzzFixtures.IntermediateCrl;
        byte[] flipped = [.. genuine];
        flipped[^10] ^= 0x01;

        Target(target).Run(genuine);
        Target(target).Run(flipped);
        Assert.False(genuine.AsSpan().SequenceEqual(flipped));
    }

    private static FuzzTarget Target(string name)
    {
        lock (Targets)
        {
            if (!Targets.TryGetValue(name, out FuzzTarget? target))
            {
                target = FuzzTargets.Create(name, ReplayCallBound);
                Targets.Add(name, target);
            }

            return target;
        }
    }

    private static IEnumerable<(string Target, string File)> Files()
    {
        foreach (string folder in new[] { "FuzzCorpus", "FuzzRegressions" })
        {
            foreach (string target in FuzzTargets.Names)
            {
                string directory = Path.Combine(AppContext.BaseDirectory, folder, target);
                if (!Directory.Exists(directory))
                {
                    continue;
                }

                foreach (string file in Directory.EnumerateFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal))
                {
                    yield return (target, file);
                }
            }
        }
    }
}
