namespace CertPolicy.Cli.Output;

/// <summary>The <c>approvals list --json</c> output.</summary>
internal sealed class ApprovalListJson
{
    public required string File { get; init; }

    /// <summary>False when the file does not exist (then no approval is remembered there).</summary>
    public required bool FileExists { get; init; }

    public required List<ApprovalJson> Approvals { get; init; }
}

internal sealed class ApprovalJson
{
    /// <summary>"host:port".</summary>
    public required string Server { get; init; }

    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>64 upper-case hexadecimal digits, the one form the tool writes.</summary>
    public required string Sha256 { get; init; }

    public string? Subject { get; init; }

    public required List<string> Problems { get; init; }

    public required DateTimeOffset ApprovedAt { get; init; }

    /// <summary><c>certificate</c>, <c>publicKey</c> or <c>issuer</c>.</summary>
    public required string Scope { get; init; }

    /// <summary>The operating-system account that approved; null when not recorded.</summary>
    public string? ApprovedBy { get; init; }

    /// <summary>When a later approval for the server replaced this one (it still applies); null while it is the latest.</summary>
    public DateTimeOffset? ReplacedAt { get; init; }

    /// <summary>The SHA-256 of the certificate's SubjectPublicKeyInfo; null when not recorded.</summary>
    public string? PublicKeySha256 { get; init; }
}

/// <summary>The <c>approvals add --json</c> output.</summary>
internal sealed class ApprovalAddJson
{
    /// <summary>"added", "replaced" (an approval of the same certificate for the server was there) or "not-needed" (a valid certificate: nothing written).</summary>
    public required string Result { get; init; }

    /// <summary>"host:port".</summary>
    public required string Server { get; init; }

    /// <summary>64 upper-case hexadecimal digits; null when the certificate could not be decoded.</summary>
    public required string? Sha256 { get; init; }

    public string? Subject { get; init; }

    /// <summary>The problems the approval accepts (empty when nothing was written).</summary>
    public required List<string> Problems { get; init; }

    /// <summary>"certificate", "key" or "issuer".</summary>
    public required string Scope { get; init; }

    /// <summary>The file written; null when nothing was.</summary>
    public string? ApprovalsFile { get; init; }

    public DateTimeOffset? ApprovedAt { get; init; }

    /// <summary>With --from-pem: what an agent of the profile under Warn now does with the certificate ("connect" when the approval applies).</summary>
    public string? AgentsUnderWarn { get; init; }
}
