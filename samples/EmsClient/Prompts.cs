namespace CertPolicy.Samples.EmsClient;

/// <summary>
/// Answers the Warn prompt with a fixed answer, as a script or a test would. Without --answer the agent asks on the
/// console with the library's <see cref="ConsoleCertificatePrompt"/>.
/// </summary>
internal sealed class ScriptedPrompt(PromptAnswer answer, TextWriter output) : ICertificatePrompt
{
    public ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        output.WriteLine(request.ToString());
        output.WriteLine($"  (scripted answer: {answer})");
        return ValueTask.FromResult(answer);
    }
}
