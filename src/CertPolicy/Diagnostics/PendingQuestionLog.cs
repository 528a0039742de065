using Microsoft.Extensions.Logging;

namespace CertPolicy;

/// <summary>The log events of pending questions (4300-4399), kept apart from <see cref="Log"/>.</summary>
internal static partial class PendingQuestionLog
{
    [LoggerMessage(EventId = 4300, EventName = "PendingQuestionRecorded", Level = LogLevel.Warning,
        Message = "Endpoint profile {Profile}: no one could answer for {Server} (certificate {Subject}, SHA-256 {Sha256}, problems {Problems}); the question is pending in {FilePath}, attempt {Attempts}. Answer it with 'certpolicy approvals approve|deny'.")]
    public static partial void Recorded(ILogger logger, string profile, ServerIdentity server, string subject, string sha256, CertificateProblemKinds problems, string filePath, int attempts);

    [LoggerMessage(EventId = 4301, EventName = "PendingQuestionNotRecorded", Level = LogLevel.Error,
        Message = "Endpoint profile {Profile}: the unanswered question for {Server} (SHA-256 {Sha256}) could not be recorded; the connection is refused all the same.")]
    public static partial void NotRecorded(ILogger logger, Exception exception, string profile, ServerIdentity server, string sha256);

    [LoggerMessage(EventId = 4302, EventName = "PendingQuestionsFull", Level = LogLevel.Error,
        Message = "The pending-questions file {FilePath} already holds {Limit} questions, the most it keeps; the question for {Server} is not recorded. Answer or deny questions ('certpolicy approvals pending').")]
    public static partial void Full(ILogger logger, string filePath, int limit, ServerIdentity server);

    [LoggerMessage(EventId = 4303, EventName = "PendingQuestionsFileMovedAside", Level = LogLevel.Error,
        Message = "The pending-questions file {FilePath} is damaged ({Problem}); it was moved to {AsidePath} and the questions start empty.")]
    public static partial void MovedAside(ILogger logger, Exception? exception, string filePath, string problem, string asidePath);

    [LoggerMessage(EventId = 4304, EventName = "PendingQuestionsFileUnusable", Level = LogLevel.Error,
        Message = "The pending-questions file {FilePath} cannot be used: {Problem}. It reads as empty and is left as it is.")]
    public static partial void Unusable(ILogger logger, Exception? exception, string filePath, string problem);

    [LoggerMessage(EventId = 4305, EventName = "PendingQuestionAnswered", Level = LogLevel.Information,
        Message = "The pending question for {Server} (SHA-256 {Sha256}) was {Answer}.")]
    public static partial void Answered(ILogger logger, ServerIdentity server, CertificateFingerprint sha256, string answer);
}
