namespace CertPolicy.Cli.Judging;

/// <summary>How to judge, from the command line: an agent's profile, and settings that override it.</summary>
/// <param name="Profile">"appsettings.json[:ProfileName]": the agent's profile, bound by the library; null for the defaults.</param>
/// <param name="Trust">Trust store entries in the profile syntax ("System", a PEM file or folder; ';' separates several); empty to keep the profile's.</param>
/// <param name="RevocationLists">CRL files (DER or PEM), added to the profile's.</param>
/// <param name="ClockSkew">Replaces the profile's clock skew; null to keep it.</param>
/// <param name="ExpectedSubject">The subject common name legacy agents expect; null to keep the profile's.</param>
/// <param name="ApprovalsFile">The approvals file to consult; null to keep the profile's (none when it names none).</param>
/// <param name="At">The instant to judge at; null for now.</param>
internal sealed record JudgeSettings(
    string? Profile,
    IReadOnlyList<string> Trust,
    IReadOnlyList<string> RevocationLists,
    TimeSpan? ClockSkew,
    string? ExpectedSubject,
    string? ApprovalsFile,
    DateTimeOffset? At)
{
    /// <summary>Nothing given: the library's defaults.</summary>
    public static JudgeSettings Defaults { get; } = new(null, [], [], null, null, null, null);
}
