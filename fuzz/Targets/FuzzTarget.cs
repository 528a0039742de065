using System.Diagnostics;

namespace CertPolicy.Fuzzing;

/// <summary>
/// One fuzz target: feeds arbitrary bytes to a part of CertPolicy that reads untrusted input and checks the library's
/// contract, not only that nothing crashed. A broken contract throws <see cref="FuzzContractException"/>, which the
/// fuzzer records as a crash and the replay test reports as a failure; so does any exception the library does not
/// document. The same code runs under afl-fuzz (fuzz/run.sh) and in the test suite's corpus replay.
/// </summary>
internal abstract class FuzzTarget
{
    protected FuzzTarget(TimeSpan callBound)
    {
        CallBound = callBound;
    }

    /// <summary>The target's name: the folder of its corpus and regression files.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The longest one call into the library may take before the target calls it a hang. The fuzzer uses a tight
    /// bound; the replay test a loose one, as a guard against a hang coming back rather than a speed test.
    /// </summary>
    public TimeSpan CallBound { get; }

    /// <summary>Runs one input; throws when the library breaks its contract.</summary>
    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>Runs one library call and fails when it takes longer than <see cref="CallBound"/>.</summary>
    protected T Timed<T>(string call, Func<T> action)
    {
        long start = Stopwatch.GetTimestamp();
        T result = action();
        CheckTime(call, start);
        return result;
    }

    /// <summary>Runs one library call and fails when it takes longer than <see cref="CallBound"/>.</summary>
    protected void Timed(string call, Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        CheckTime(call, start);
    }

    /// <summary>
    /// Runs one call into a file store (approvals, pending questions): an <see cref="ApprovalStoreException"/> with a
    /// message is its documented failure and gives the default (null, false).
    /// </summary>
    protected T? TryStore<T>(string call, Func<T> action)
    {
        try
        {
            return Timed(call, action);
        }
        catch (ApprovalStoreException ex)
        {
            Require(!string.IsNullOrWhiteSpace(ex.Message), $"{call}: an ApprovalStoreException without a message.");
            return default;
        }
    }

    /// <summary>
    /// After a store read <paramref name="file"/>: the file is as it was, or (damaged) it was moved aside with its
    /// bytes intact and nothing was read from it.
    /// </summary>
    protected static void RequireKeptOrMovedAside(string file, byte[] original, int entriesRead, string what)
    {
        if (File.Exists(file) && File.ReadAllBytes(file).AsSpan().SequenceEqual(original))
        {
            return;
        }

        Require(entriesRead == 0, $"The {what} file was moved aside though entries were read from it.");
        string folder = Path.GetDirectoryName(file)!;
        bool aside = Directory.EnumerateFiles(folder).Any(f => f != file && File.ReadAllBytes(f).AsSpan().SequenceEqual(original));
        Require(aside, $"A damaged {what} file was removed without being kept aside: its bytes are lost.");
    }

    protected static void Require(bool condition, string contract)
    {
        if (!condition)
        {
            throw new FuzzContractException(contract);
        }
    }

    private void CheckTime(string call, long start)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        if (elapsed > CallBound)
        {
            throw new FuzzContractException($"Hang: {call} took {elapsed.TotalMilliseconds:F0} ms, over the bound of {CallBound.TotalMilliseconds:F0} ms.");
        }
    }
}

/// <summary>The library broke the contract a fuzz target checks.</summary>
internal sealed class FuzzContractException : Exception
{
    public FuzzContractException()
    {
    }

    public FuzzContractException(string message)
        : base(message)
    {
    }

    public FuzzContractException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
