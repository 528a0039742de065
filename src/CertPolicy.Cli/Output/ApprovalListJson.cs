namespace CertPolicy.Cli.Output;

/// <summary>The <c>approvals list --json</c> output.</summary>
internal sealed class ApprovalListJson
{
    public required string File { get; init; }

    public required List<ApprovalJson> Approvals { get; init; }
}

internal sealed class ApprovalJson
{
    /// <summary>"host:port".</summary>
    public required string Server { get; init; }

    public required string Host { get; init; }

    public required int Port { get; init; }

    public required string Sha256 { get; init; }

    public string? Subject { get; init; }

    public required List<string> Problems { get; init; }

    public required DateTimeOffset ApprovedAt { get; init; }
}
