namespace CertPolicy;

/// <summary>Why a <see cref="CertificateDecision"/> came out as it did.</summary>
public enum DecisionReason
{
    /// <summary>Connect: the certificate is valid for the profile's validation mode.</summary>
    Valid = 0,

    /// <summary>Connect: the certificate is not valid, and the profile's action is <see cref="InvalidCertificateAction.Allow"/>.</summary>
    AllowedByPolicy = 1,

    /// <summary>Connect: the user was asked and allowed it; the approval is remembered.</summary>
    ApprovedByUser = 2,

    /// <summary>Connect: the user approved this certificate for this server, with the same problems, before.</summary>
    RememberedApproval = 3,

    /// <summary>Refuse: the certificate is not valid, and the profile's action is <see cref="InvalidCertificateAction.Deny"/>.</summary>
    DeniedByPolicy = 4,

    /// <summary>Refuse: the user was asked and refused. Nothing is remembered, so the next attempt asks again.</summary>
    DeniedByUser = 5,

    /// <summary>Refuse: the user would have to be asked, but no prompt is available (a headless service). Fails closed.</summary>
    NoPrompt = 6,

    /// <summary>Refuse: the user was asked but did not answer within the profile's prompt timeout. Fails closed.</summary>
    PromptTimedOut = 7,

    /// <summary>Refuse: the prompt failed (it threw, or gave no valid answer). Fails closed.</summary>
    PromptFailed = 8,

    /// <summary>
    /// Refuse, for now: the user would have to be asked, and this decision was made without a prompt
    /// (<see cref="CertificateDecisionEngine.DecideWithoutPrompt(IReadOnlyList{ReadOnlyMemory{byte}}, ServerIdentity)"/>). Ask with
    /// <see cref="CertificateDecisionEngine.DecideAsync(IReadOnlyList{ReadOnlyMemory{byte}}, ServerIdentity, CancellationToken)"/>.
    /// </summary>
    NeedsUserAnswer = 9,

    /// <summary>
    /// Refuse: the report names no server or carries no readable certificate, so there is nothing a user could
    /// approve or that could be remembered.
    /// </summary>
    NotApprovable = 10,

    /// <summary>
    /// Refuse: the certificate, its public key or a certificate of its path is on the profile's distrust list. Refused
    /// under every action, without asking, whatever was approved or pre-approved; the decision's message says which.
    /// </summary>
    Distrusted = 11,

    /// <summary>
    /// Connect: the certificate (or its public key) is on the profile's pre-approvals for this server, so the
    /// administrator approved it; no one is asked. The report still lists the certificate's problems.
    /// </summary>
    PreApproved = 12,
}
