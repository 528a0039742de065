namespace CertPolicy.Cli.Output;

/// <summary>With --json, every error is printed on standard output as <c>{"error": {"code": ..., "message": ...}}</c>.</summary>
internal sealed class ErrorEnvelopeJson
{
    public required ErrorJson Error { get; init; }
}

internal sealed class ErrorJson
{
    /// <summary>A stable name of the kind of failure, such as "bad-arguments", "connection-failed", "not-tls", "profile-invalid".</summary>
    public required string Code { get; init; }

    /// <summary>The message, as the one line printed without --json says it (without the "certpolicy: " prefix).</summary>
    public required string Message { get; init; }

    /// <summary>The exit code the tool exits with.</summary>
    public required int ExitCode { get; init; }
}
