using Microsoft.Extensions.Logging;

namespace CertPolicy;

/// <summary>
/// Every log event of the decision engine, the approval stores and the profiles, with stable event ids
/// (documented in docs/decisions.md). Certificates are identified by subject and SHA-256 fingerprint only.
/// </summary>
internal static partial class Log
{
    // 4000-4019: one event per decision reason, written by DecisionEvents (one template, a table of ids and levels).

    // 4020-4039: prompts and remembered approvals, as seen by the engine.
    [LoggerMessage(EventId = 4020, EventName = "PromptStarted", Level = LogLevel.Information,
        Message = "Profile {Profile}: asking the user about {Server}, problems {Problems}: certificate {Subject}, SHA-256 {Fingerprint}.")]
    public static partial void PromptStarted(ILogger logger, string profile, ServerIdentity server, CertificateProblemKinds problems, string subject, string fingerprint);

    [LoggerMessage(EventId = 4021, EventName = "PromptJoined", Level = LogLevel.Debug,
        Message = "Profile {Profile}: another connection to {Server} waits for the question already asked about certificate SHA-256 {Fingerprint}.")]
    public static partial void PromptJoined(ILogger logger, string profile, ServerIdentity server, string fingerprint);

    [LoggerMessage(EventId = 4022, EventName = "PromptAbandoned", Level = LogLevel.Information,
        Message = "Profile {Profile}: every connection waiting for the answer about {Server} (certificate SHA-256 {Fingerprint}) gave up; the question is withdrawn.")]
    public static partial void PromptAbandoned(ILogger logger, string profile, ServerIdentity server, string fingerprint);

    [LoggerMessage(EventId = 4024, EventName = "ApprovalRemembered", Level = LogLevel.Information,
        Message = "Profile {Profile}: remembered the user's approval of certificate {Subject}, SHA-256 {Fingerprint}, for {Server} with problems {Problems}, scope {Scope}, by {ApprovedBy}.")]
    public static partial void ApprovalRemembered(ILogger logger, string profile, ServerIdentity server, CertificateProblemKinds problems, string subject, string fingerprint, ApprovalScope scope, string approvedBy);

    [LoggerMessage(EventId = 4025, EventName = "ApprovalNotRemembered", Level = LogLevel.Error,
        Message = "Profile {Profile}: the user approved certificate SHA-256 {Fingerprint} for {Server}, but the approval could not be remembered; the next connection will ask again.")]
    public static partial void ApprovalNotRemembered(ILogger logger, Exception exception, string profile, ServerIdentity server, string fingerprint);

    [LoggerMessage(EventId = 4026, EventName = "ApprovalLookupFailed", Level = LogLevel.Error,
        Message = "Profile {Profile}: remembered approvals could not be read; treating certificate SHA-256 {Fingerprint} for {Server} as not approved.")]
    public static partial void ApprovalLookupFailed(ILogger logger, Exception exception, string profile, ServerIdentity server, string fingerprint);

    // 4100-4119: the approvals file.
    [LoggerMessage(EventId = 4100, EventName = "ApprovalsFileCorrupt", Level = LogLevel.Error,
        Message = "The approvals file {FilePath} is damaged ({Problem}); it was moved aside to {AsidePath}, kept unchanged, and approvals start empty.")]
    public static partial void ApprovalsFileMovedAside(ILogger logger, Exception? exception, string filePath, string problem, string asidePath);

    [LoggerMessage(EventId = 4101, EventName = "ApprovalsFileCorruptKept", Level = LogLevel.Error,
        Message = "The approvals file {FilePath} is damaged ({Problem}); it is treated as empty and left in place until it can be moved aside.")]
    public static partial void ApprovalsFileCorruptKept(ILogger logger, Exception? exception, string filePath, string problem);

    [LoggerMessage(EventId = 4102, EventName = "ApprovalsFileNewerVersion", Level = LogLevel.Error,
        Message = "The approvals file {FilePath} has schema version {Version}, newer than this version reads; it is treated as empty and will not be changed.")]
    public static partial void ApprovalsFileNewerVersion(ILogger logger, string filePath, int version);

    [LoggerMessage(EventId = 4103, EventName = "ApprovalsFileReadFailed", Level = LogLevel.Warning,
        Message = "The approvals file {FilePath} could not be read just now; no approval applies until it can be.")]
    public static partial void ApprovalsFileReadFailed(ILogger logger, Exception exception, string filePath);

    [LoggerMessage(EventId = 4104, EventName = "ApprovalsFilePermissionDenied", Level = LogLevel.Error,
        Message = "The approvals file {FilePath} cannot be read: permission denied for this account; no approval applies, and the file is left as it is.")]
    public static partial void ApprovalsFilePermissionDenied(ILogger logger, Exception exception, string filePath);

    [LoggerMessage(EventId = 4105, EventName = "ApprovalsPathIsFolder", Level = LogLevel.Error,
        Message = "The approvals file {FilePath} is a folder, not a file; no approval applies, and the folder is left as it is.")]
    public static partial void ApprovalsPathIsFolder(ILogger logger, string filePath);

    // 4200-4219: endpoint profiles.
    [LoggerMessage(EventId = 4200, EventName = "ProfileReloaded", Level = LogLevel.Information,
        Message = "Endpoint profile {Profile} reloaded: action {Action}, mode {Mode}; the next handshake uses it.")]
    public static partial void ProfileReloaded(ILogger logger, string profile, InvalidCertificateAction action, ValidationMode mode);

    [LoggerMessage(EventId = 4201, EventName = "ProfileReloadRejected", Level = LogLevel.Error,
        Message = "Endpoint profile {Profile}: the reloaded configuration cannot be used, so the last good policy stays in force: {Reason}")]
    public static partial void ProfileReloadRejected(ILogger logger, Exception exception, string profile, string reason);

    [LoggerMessage(EventId = 4202, EventName = "ApprovalsFileLocationUnavailable", Level = LogLevel.Warning,
        Message = "Endpoint profile {Profile}: no ApprovalsFile is set and this account has no local application data folder; approvals are remembered in memory only.")]
    public static partial void ApprovalsFileLocationUnavailable(ILogger logger, string profile);

    // Pending questions (4300-4399).

    [LoggerMessage(EventId = 4300, EventName = "PendingQuestionRecorded", Level = LogLevel.Warning,
        Message = "Endpoint profile {Profile}: no one could answer for {Server} (certificate {Subject}, SHA-256 {Sha256}, problems {Problems}); the question is pending in {FilePath}, attempt {Attempts}. Answer it with 'certpolicy approvals approve|deny'.")]
    public static partial void PendingQuestionRecorded(ILogger logger, string profile, ServerIdentity server, string subject, string sha256, CertificateProblemKinds problems, string filePath, int attempts);

    [LoggerMessage(EventId = 4301, EventName = "PendingQuestionNotRecorded", Level = LogLevel.Error,
        Message = "Endpoint profile {Profile}: the unanswered question for {Server} (SHA-256 {Sha256}) could not be recorded; the connection is refused all the same.")]
    public static partial void PendingQuestionNotRecorded(ILogger logger, Exception exception, string profile, ServerIdentity server, string sha256);

    [LoggerMessage(EventId = 4302, EventName = "PendingQuestionsFull", Level = LogLevel.Error,
        Message = "The pending-questions file {FilePath} already holds {Limit} questions, the most it keeps; the question for {Server} is not recorded. Answer or deny questions ('certpolicy approvals pending').")]
    public static partial void PendingQuestionsFull(ILogger logger, string filePath, int limit, ServerIdentity server);

    [LoggerMessage(EventId = 4303, EventName = "PendingQuestionsFileMovedAside", Level = LogLevel.Error,
        Message = "The pending-questions file {FilePath} is damaged ({Problem}); it was moved to {AsidePath} and the questions start empty.")]
    public static partial void PendingQuestionsFileMovedAside(ILogger logger, Exception? exception, string filePath, string problem, string asidePath);

    [LoggerMessage(EventId = 4304, EventName = "PendingQuestionsFileUnusable", Level = LogLevel.Error,
        Message = "The pending-questions file {FilePath} cannot be used: {Problem}. It reads as empty and is left as it is.")]
    public static partial void PendingQuestionsFileUnusable(ILogger logger, Exception? exception, string filePath, string problem);

    [LoggerMessage(EventId = 4305, EventName = "PendingQuestionAnswered", Level = LogLevel.Information,
        Message = "The pending question for {Server} (SHA-256 {Sha256}) was {Answer}.")]
    public static partial void PendingQuestionAnswered(ILogger logger, ServerIdentity server, CertificateFingerprint sha256, string answer);

    // Report-only migration mode and the CN-only opt-in (4400-4419).

    [LoggerMessage(EventId = 4400, EventName = "MigrationPreview",
        Message = "Profile {Profile}, report-only: {Outcome} {Server} by the legacy rule ({Reason}); under modern validation it would {Would} ({WouldReason}): problems {Problems}, accepted {Notices}, certificate {Subject}, SHA-256 {Fingerprint}, path {Path}.")]
    public static partial void MigrationPreview(
        ILogger logger,
        LogLevel level,
        string profile,
        DecisionOutcome outcome,
        ServerIdentity? server,
        DecisionReason reason,
        string would,
        DecisionReason wouldReason,
        CertificateProblemKinds problems,
        CertificateProblemKinds notices,
        string subject,
        string fingerprint,
        string path);

    [LoggerMessage(EventId = 4401, EventName = "NameOnlyInCommonNameAccepted", Level = LogLevel.Information,
        Message = "Profile {Profile}: {Server} is named only in the subject common name of certificate {Subject}, SHA-256 {Fingerprint}, which has no subjectAltName; accepted because the profile allows it (AcceptCommonNameWithoutSubjectAltName). Reissue the certificate with a subjectAltName.")]
    public static partial void NameOnlyInCommonNameAccepted(ILogger logger, string profile, ServerIdentity server, string subject, string fingerprint);

    // Minimum TLS version and pending questions as a profile setting (tls helper, 4320-4339).

    [LoggerMessage(EventId = 4320, EventName = "TlsVersionRejected", Level = LogLevel.Error,
        Message = "Endpoint profile {Profile}: refused {Server}, which offered no TLS version at or above the profile's MinimumTlsVersion {Minimum} (negotiated: {Negotiated}).")]
    public static partial void TlsVersionRejected(ILogger logger, string profile, ServerIdentity server, TlsVersionFloor minimum, string negotiated);

    // Approval scope and what changed (4030-4049).

    [LoggerMessage(EventId = 4030, EventName = "ApprovalNoLongerCovers", Level = LogLevel.Information,
        Message = "Profile {Profile}: no remembered approval for {Server} covers certificate SHA-256 {Fingerprint}; since the approval of SHA-256 {PreviousFingerprint} on {ApprovedAt}: {Changes}. Asking again.")]
    public static partial void ApprovalNoLongerCovers(ILogger logger, string profile, ServerIdentity server, string fingerprint, CertificateFingerprint previousFingerprint, DateTimeOffset approvedAt, ApprovalChanges changes);

    [LoggerMessage(EventId = 4031, EventName = "ApprovalScopeNarrowed", Level = LogLevel.Warning,
        Message = "Profile {Profile}: the approval of certificate SHA-256 {Fingerprint} for {Server} is remembered for that certificate only: the key scope {Scope} needs could not be established.")]
    public static partial void ApprovalScopeNarrowed(ILogger logger, string profile, ServerIdentity server, string fingerprint, ApprovalScope scope);
}
