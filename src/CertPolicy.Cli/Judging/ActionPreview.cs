namespace CertPolicy.Cli.Judging;

/// <summary>What an agent whose profile has one InvalidCertificateAction would do with the certificate.</summary>
/// <param name="Action">The action: Allow, Warn or Deny.</param>
/// <param name="Outcome">"connect", "refuse", or "ask" (the agent asks its user; a headless agent refuses).</param>
/// <param name="Reason">The decision engine's reason, such as "AllowedByPolicy".</param>
/// <param name="Description">The outcome in words, such as "connects (allowed by policy)".</param>
/// <param name="ApprovedAt">When the remembered approval that applies, or that no longer applies, was given.</param>
internal sealed record ActionPreview(string Action, string Outcome, string Reason, string Description, DateTimeOffset? ApprovedAt);
