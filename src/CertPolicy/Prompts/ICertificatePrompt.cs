namespace CertPolicy;

/// <summary>
/// Asks the end user whether to connect to a server whose certificate has problems. Implement it with a dialog, a
/// tray notification or a console question; register none in a headless service, where such certificates are then
/// refused.
/// </summary>
/// <remarks>
/// The engine asks at most once at a time for the same server, certificate and problems, however many connections
/// are waiting, and cancels <c>cancellationToken</c> when the profile's prompt timeout passes or when every waiting
/// connection has given up: close the question then. An exception, or an answer that is not a defined
/// <see cref="PromptAnswer"/>, refuses the connection.
/// </remarks>
public interface ICertificatePrompt
{
    /// <summary>Asks the user, and returns their answer.</summary>
    /// <param name="request">What the user needs to decide.</param>
    /// <param name="cancellationToken">Cancelled when the answer is no longer wanted (timeout, or no one waiting).</param>
    /// <returns>The answer.</returns>
    ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken);
}
