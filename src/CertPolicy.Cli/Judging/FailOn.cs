namespace CertPolicy.Cli.Judging;

/// <summary>What makes check and inspect exit with <see cref="ExitCodes.AgentsWouldNotConnect"/> (--fail-on).</summary>
internal enum FailOn
{
    /// <summary>Not given: the exit code says whether the certificate is valid for the profile's mode.</summary>
    Verdict,

    /// <summary>Some modern agents would not connect silently.</summary>
    Modern,

    /// <summary>Some legacy agents would not connect silently.</summary>
    Legacy,

    /// <summary>Some agents, of either generation, would not connect silently.</summary>
    Any,
}
