namespace CertPolicy.Cli.Judging;

/// <summary>
/// What agents would do with a report under each InvalidCertificateAction. The decisions are made by the library's
/// own decision engine (never re-implemented here), so the tool and the agents agree by construction.
/// </summary>
internal static class ActionPreviewer
{
    private static readonly InvalidCertificateAction[] Actions = [InvalidCertificateAction.Allow, InvalidCertificateAction.Warn, InvalidCertificateAction.Deny];

    /// <summary>One preview per action (Allow, Warn, Deny), each decided without a prompt by the engine.</summary>
    /// <param name="validator">The validator that produced <paramref name="report"/>.</param>
    /// <param name="report">The report to decide on.</param>
    /// <param name="approvals">The remembered approvals to consult; an empty store when none are.</param>
    public static IReadOnlyList<ActionPreview> Preview(CertificateValidator validator, ValidationReport report, ApprovalStore approvals)
    {
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(approvals);
        var previews = new List<ActionPreview>(Actions.Length);
        foreach (InvalidCertificateAction action in Actions)
        {
            var engine = new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions
            {
                ProfileName = "certpolicy",
                InvalidCertificateAction = action,
                Approvals = approvals,
                Prompt = NeverAsked.Instance,
            });
            CertificateDecision decision = engine.DecideWithoutPrompt(report);
            previews.Add(Describe(action, decision, FindApproval(approvals, report)));
        }

        return previews;
    }

    private static ActionPreview Describe(InvalidCertificateAction action, CertificateDecision decision, CertificateApproval? approval)
    {
        string name = action.ToString();
        string reason = decision.Reason.ToString();
        string outcome = decision.ShouldConnect ? "connect" : "refuse";
        return decision.Reason switch
        {
            DecisionReason.Valid => new(name, outcome, reason, "connects silently", null),
            DecisionReason.AllowedByPolicy => new(name, outcome, reason, "connects (allowed by policy)", null),
            DecisionReason.DeniedByPolicy => new(name, outcome, reason, "refuses", null),
            DecisionReason.RememberedApproval => new(
                name,
                outcome,
                reason,
                approval is null
                    ? "connects silently (remembered approval)"
                    : $"connects silently (remembered approval from {Certificates.CertificateFacts.FormatTime(approval.ApprovedAt)})",
                approval?.ApprovedAt),
            DecisionReason.NeedsUserAnswer when approval is not null => new(
                name,
                "ask",
                reason,
                $"asks the user (the approval from {Certificates.CertificateFacts.FormatTime(approval.ApprovedAt)} was for other problems: {approval.AcceptedProblems})",
                approval.ApprovedAt),
            DecisionReason.NeedsUserAnswer => new(name, "ask", reason, "asks the user", null),
            DecisionReason.NotApprovable => new(name, outcome, reason, "refuses (there is no certificate a user could approve)", null),
            _ => new(name, outcome, reason, decision.Message, null),
        };
    }

    /// <summary>
    /// Stands for the agent's user, so that Warn previews as "asks the user" (NeedsUserAnswer) rather than as a headless
    /// agent's refusal. DecideWithoutPrompt never calls it.
    /// </summary>
    private sealed class NeverAsked : ICertificatePrompt
    {
        public static readonly NeverAsked Instance = new();

        public ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
            => throw new InvalidOperationException("The tool previews decisions; it never asks.");
    }

    private static CertificateApproval? FindApproval(ApprovalStore approvals, ValidationReport report)
    {
        if (report.Identity is not { } server || report.Certificate is not { } certificate)
        {
            return null;
        }

        try
        {
            return CertificateFingerprint.TryParse(certificate.Sha256Fingerprint, out CertificateFingerprint fingerprint) ? approvals.Find(server, fingerprint) : null;
        }
        catch (ApprovalStoreException)
        {
            return null;
        }
    }
}
