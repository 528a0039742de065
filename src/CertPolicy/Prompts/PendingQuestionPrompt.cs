namespace CertPolicy;

/// <summary>
/// A prompt for agents no one sits at: records the question in a <see cref="PendingQuestionStore"/> and waits, up
/// to the profile's prompt timeout, for an answer written by another process (the <c>certpolicy approvals
/// approve|deny</c> tool, or the agent's own tray application through <see cref="PendingQuestionStore"/>).
/// </summary>
/// <remarks>
/// The answer is "allow" once the approvals hold an approval for this server, certificate and exactly these problems;
/// "deny" once the question is gone without one. Both files are looked at every <see cref="PollInterval"/>; the wait
/// ends when the engine cancels it (the prompt timeout, or no connection waiting any more), and the question stays
/// recorded for the next attempt.
/// </remarks>
public sealed class PendingQuestionPrompt : ICertificatePrompt
{
    private readonly PendingQuestionStore _questions;
    private readonly ApprovalStore _approvals;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the prompt.</summary>
    /// <param name="questions">Where questions are recorded and answered.</param>
    /// <param name="approvals">The approvals an answer "yes" is saved in: the same store the engine uses.</param>
    /// <param name="timeProvider">The clock of the waits between looks; <see cref="TimeProvider.System"/> when null.</param>
    public PendingQuestionPrompt(PendingQuestionStore questions, ApprovalStore approvals, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(approvals);
        _questions = questions;
        _approvals = approvals;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long the prompt waits between two looks at the files: a quarter of a second.</summary>
    public static TimeSpan PollInterval { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The store questions are recorded in.</summary>
    public PendingQuestionStore Questions => _questions;

    /// <inheritdoc/>
    public async ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await _questions.RecordAsync(request, cancellationToken).ConfigureAwait(false);
        var certificate = CertificateFingerprint.Parse(request.Certificate.Sha256Fingerprint);

        // Ends when the engine cancels the token: at the latest after the prompt timeout (at most one day).
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (IsApproved(request, certificate))
            {
                return PromptAnswer.Allow;
            }

            // The question is read before the approvals: approving saves the approval before removing the question.
            if (_questions.Find(request.Server, certificate) is null)
            {
                return IsApproved(request, certificate) ? PromptAnswer.Allow : PromptAnswer.Deny;
            }

            await Task.Delay(PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool IsApproved(CertificatePromptRequest request, CertificateFingerprint certificate)
    {
        _approvals.RefreshVersion();
        return _approvals.Find(request.Server, certificate) is { } approval && approval.Covers(request.ProblemKinds);
    }
}
