namespace CertPolicy.Cli;

/// <summary>
/// What the tool reads from and writes to outside its arguments: the output streams, the clock, whether standard
/// output is a terminal, and the environment variables. The process uses <see cref="FromConsole"/>; tests build one
/// with writers they read back and a fixed clock.
/// </summary>
internal sealed class CliEnvironment
{
    public CliEnvironment(TextWriter output, TextWriter error, TimeProvider timeProvider, bool outputIsTerminal, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        Output = output;
        Error = error;
        TimeProvider = timeProvider;
        OutputIsTerminal = outputIsTerminal;
        GetEnvironmentVariable = getEnvironmentVariable;
    }

    /// <summary>Standard output: the report.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error: one-line error messages.</summary>
    public TextWriter Error { get; }

    /// <summary>The clock validations and expiry warnings read.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>True when standard output is a terminal (not redirected to a file or a pipe).</summary>
    public bool OutputIsTerminal { get; }

    /// <summary>Reads an environment variable; null when it is not set.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; }

    /// <summary>True when Ctrl+C and SIGTERM should cancel the running command (the process); false in tests.</summary>
    public bool HandlesProcessTermination { get; init; }

    /// <summary>
    /// True when the report may use colour and terminal tables: standard output is a terminal and NO_COLOR
    /// (https://no-color.org) is not set to a non-empty value.
    /// </summary>
    public bool UseRichOutput => OutputIsTerminal && string.IsNullOrEmpty(GetEnvironmentVariable("NO_COLOR"));

    /// <summary>The process's console, clock and environment.</summary>
    public static CliEnvironment FromConsole() =>
        new(Console.Out, Console.Error, TimeProvider.System, !Console.IsOutputRedirected, Environment.GetEnvironmentVariable)
        {
            HandlesProcessTermination = true,
        };
}
