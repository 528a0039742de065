namespace CertPolicy.Cli;

/// <summary>The tool's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>The certificate is valid (for the profile's mode), every agent named by --fail-on connects silently, or a command other than a judgement succeeded.</summary>
    public const int Valid = 0;

    /// <summary>An error: unreadable or malformed input, an unreachable server, bad arguments.</summary>
    public const int Error = 1;

    /// <summary>The certificate is not valid (for the profile's mode; modern by default). Not used with --fail-on.</summary>
    public const int Invalid = 3;

    /// <summary>
    /// With --fail-on: some agents of the generation named would not connect silently (they would prompt or refuse).
    /// For plan: some endpoint would not connect silently.
    /// </summary>
    public const int AgentsWouldNotConnect = 4;
}
