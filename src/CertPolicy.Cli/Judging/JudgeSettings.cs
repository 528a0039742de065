namespace CertPolicy.Cli.Judging;

/// <summary>How to judge, from the command line.</summary>
/// <param name="TrustPath">A PEM file or folder of trust anchors; null for the operating system's roots.</param>
/// <param name="ExpectedSubject">The subject common name legacy agents expect; null to skip the legacy verdict.</param>
/// <param name="ApprovalsFile">The approvals file to consult; null to consult none.</param>
internal sealed record JudgeSettings(string? TrustPath, string? ExpectedSubject, string? ApprovalsFile);
