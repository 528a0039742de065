namespace CertPolicy.Samples.EmsClient;

/// <summary>Answers the Warn prompt with a fixed answer, as a script or a test would.</summary>
internal sealed class ScriptedPrompt(PromptAnswer answer, TextWriter output) : ICertificatePrompt
{
    public ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ConsolePrompt.Describe(request, output);
        output.WriteLine($"  (scripted answer: {answer})");
        return ValueTask.FromResult(answer);
    }
}

/// <summary>Asks the person at the console, with the details a person needs to decide.</summary>
internal sealed class ConsolePrompt(TextReader input, TextWriter output) : ICertificatePrompt
{
    public async ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Describe(request, output);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            output.Write("  Connect anyway and remember this certificate for this server? [y/N] ");
            string? line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            switch (line?.Trim().ToUpperInvariant())
            {
                case "Y" or "YES":
                    return PromptAnswer.Allow;
                case null or "" or "N" or "NO":
                    return PromptAnswer.Deny;
            }
        }

        return PromptAnswer.Deny;
    }

    public static void Describe(CertificatePromptRequest request, TextWriter output)
    {
        output.WriteLine($"The certificate of {request.Server} is not valid:");
        foreach (string problem in request.ProblemDescriptions)
        {
            output.WriteLine($"  - {problem}");
        }

        CertificateSummary certificate = request.Certificate;
        output.WriteLine($"  subject  {certificate.Subject}");
        output.WriteLine($"  issuer   {certificate.Issuer}");
        output.WriteLine($"  valid    {certificate.NotBefore:u} to {certificate.NotAfter:u}");
        output.WriteLine($"  SHA-256  {certificate.Sha256Fingerprint}");
    }
}
