namespace CertPolicy.Cli;

/// <summary>
/// An expected failure (bad input, unreachable server, unreadable file): the tool prints its message as one line on
/// standard error (with --json, as <c>{"error": {"code": ..., "message": ...}}</c> on standard output) and exits
/// with <see cref="ExitCodes.Error"/>. The message is complete on its own.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException()
    {
    }

    public CliException(string message)
        : base(message)
    {
    }

    public CliException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>A stable, machine-readable name of the kind of failure, such as "bad-arguments" or "not-tls".</summary>
    public string Code { get; init; } = "error";
}
