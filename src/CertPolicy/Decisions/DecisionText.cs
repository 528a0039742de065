namespace CertPolicy;

/// <summary>Decisions in sentences.</summary>
internal static class DecisionText
{
    public static string Describe(CertificateDecision decision)
    {
        ValidationReport report = decision.Report;
        string server = report.Identity?.ToString() ?? "the server";
        string problems = ProblemText.ShortList(report.Verdict.Kinds);
        string text = decision.Reason switch
        {
            DecisionReason.Valid => $"Connect to {server}: the certificate is valid.",
            DecisionReason.AllowedByPolicy => $"Connect to {server} despite certificate problems ({problems}): the profile allows invalid certificates.",
            DecisionReason.ApprovedByUser => $"Connect to {server} despite certificate problems ({problems}): the user approved the certificate.",
            DecisionReason.RememberedApproval => $"Connect to {server} despite certificate problems ({problems}): the user approved this certificate with these problems before.",
            DecisionReason.DeniedByPolicy => $"Refuse {server}: the certificate has problems ({problems}) and the profile denies invalid certificates.",
            DecisionReason.DeniedByUser => $"Refuse {server}: the certificate has problems ({problems}) and the user refused it.",
            DecisionReason.NoPrompt => $"Refuse {server}: the certificate has problems ({problems}) and there is no one to ask (no prompt is available), so the connection fails closed.",
            DecisionReason.PromptTimedOut => $"Refuse {server}: the certificate has problems ({problems}) and the user did not answer in time, so the connection fails closed.",
            DecisionReason.PromptFailed => $"Refuse {server}: the certificate has problems ({problems}) and asking the user failed, so the connection fails closed.",
            DecisionReason.NeedsUserAnswer => $"Refuse {server} for now: the certificate has problems ({problems}) and needs the user's answer.",
            DecisionReason.NotApprovable => $"Refuse {server}: the certificate has problems ({problems}) and the report names no server or no readable certificate, so nothing can be approved.",
            DecisionReason.Distrusted => $"Refuse {server}: the certificate is distrusted by the profile; it is refused under every action and never asked about.",
            DecisionReason.PreApproved => $"Connect to {server} despite certificate problems ({problems}): the profile pre-approves this certificate.",
            _ => $"{decision.Outcome} {server}: {decision.Reason}.",
        };

        return decision.Note is null ? text : $"{text} {decision.Note}";
    }
}
