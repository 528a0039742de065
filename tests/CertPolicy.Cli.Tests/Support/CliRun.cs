using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Cli.Tests.Support;

/// <summary>What one in-process run of the tool produced.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>The lines written to standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
}

/// <summary>
/// Runs the tool's command line in-process, as the process would, with standard output and error captured, a fixed
/// clock (<see cref="TestPki.Now"/> unless given), and standard output not a terminal unless asked.
/// </summary>
public static class CliRun
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, now: null);

    public static async Task<CliResult> RunAsync(
        string[] args,
        DateTimeOffset? now = null,
        bool terminal = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var clock = new FakeTimeProvider(now ?? TestPki.Now);
        var cli = new CliEnvironment(output, error, clock, terminal, name => environment?.GetValueOrDefault(name));
        int exitCode = await CertPolicyCli.RunAsync(args, cli, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}
