namespace CertPolicy.Cli.Output;

/// <summary>The <c>approvals pending --json</c> output.</summary>
internal sealed class PendingListJson
{
    /// <summary>The pending-questions file (beside the approvals file).</summary>
    public required string File { get; init; }

    /// <summary>False when the file does not exist (then no question is waiting).</summary>
    public required bool FileExists { get; init; }

    public required List<PendingQuestionJson> Questions { get; init; }
}

internal sealed class PendingQuestionJson
{
    /// <summary>"host:port".</summary>
    public required string Server { get; init; }

    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>64 upper-case hexadecimal digits, the one form the tool writes.</summary>
    public required string Sha256 { get; init; }

    public string? SpkiSha256 { get; init; }

    public required string Subject { get; init; }

    public required string Issuer { get; init; }

    public required DateTimeOffset NotBefore { get; init; }

    public required DateTimeOffset NotAfter { get; init; }

    public required List<string> Problems { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }

    public required DateTimeOffset LastSeen { get; init; }

    public required int Attempts { get; init; }
}

/// <summary>The <c>approvals approve|deny --json</c> output.</summary>
internal sealed class PendingAnswerJson
{
    /// <summary>"approved", "denied" or "not-pending" (deny of a question that was not waiting).</summary>
    public required string Result { get; init; }

    public required string Server { get; init; }

    public required string Sha256 { get; init; }

    /// <summary>The problems approved (approve only).</summary>
    public List<string>? Problems { get; init; }

    public required string ApprovalsFile { get; init; }

    public required string PendingFile { get; init; }
}
