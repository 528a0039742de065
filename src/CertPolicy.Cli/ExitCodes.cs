namespace CertPolicy.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>The certificate is valid (modern verdict), or a command other than a judgement succeeded.</summary>
    public const int Valid = 0;

    /// <summary>An error: unreadable or malformed input, an unreachable server, bad arguments.</summary>
    public const int Error = 1;

    /// <summary>The certificate is not valid (modern verdict).</summary>
    public const int Invalid = 3;
}
