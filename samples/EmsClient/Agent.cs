using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace CertPolicy.Samples.EmsClient;

/// <summary>
/// The endpoint agent: connects to its management server, lets CertPolicy judge the server's certificate and
/// decide (asking the user when the profile says Warn), and only then talks to the server.
/// </summary>
public static class Agent
{
    /// <summary>Connected: handshake done and the decision was Connect.</summary>
    public const int Connected = 0;

    /// <summary>Bad arguments or settings.</summary>
    public const int BadArguments = 1;

    /// <summary>Refused: the decision was Refuse.</summary>
    public const int Refused = 2;

    /// <summary>The server could not be reached, or TLS failed before any decision.</summary>
    public const int ConnectionFailed = 4;

    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the agent with command-line arguments; returns the exit code.</summary>
    /// <param name="args">The arguments (see <c>--help</c>).</param>
    /// <param name="output">Where the agent reports.</param>
    /// <param name="error">Where errors go.</param>
    /// <param name="console">The console to ask the user on, or null when there is none (the Warn prompt then refuses unless --answer is given).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader? console)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is ["--help"] or ["-h"])
        {
            output.WriteLine(AgentOptions.Usage);
            return Connected;
        }

        if (!AgentOptions.TryParse(args, out AgentOptions? options, out string? problem))
        {
            error.WriteLine($"EmsClient: {problem}");
            error.WriteLine(AgentOptions.Usage);
            return BadArguments;
        }

        if (options.Http)
        {
            return await HttpAgent.RunAsync(options, output, error, console).ConfigureAwait(false);
        }

        HandshakePolicy policy;
        ServerIdentity identity;
        try
        {
            identity = ServerIdentity.Create(options.ServerName, options.Port);
            policy = new HandshakePolicy(CreateEngine(options, output, console));
        }
        catch (Exception e) when (e is ArgumentException or TrustStoreException or ApprovalStoreException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"EmsClient: {e.Message}");
            return BadArguments;
        }

        using var timeout = new CancellationTokenSource(s_connectTimeout);
        using var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            error.WriteLine($"EmsClient: cannot connect to {options.Host}:{options.Port}: {e.Message}");
            return ConnectionFailed;
        }

        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        CertificateDecision decision;
        try
        {
            // The async handshake completes TLS, then decides (asking the user if the profile says Warn) before any
            // application data; on a refusal it has already closed the stream.
            decision = await policy.AuthenticateAsClientAsync(
                tls,
                identity,
                new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls13 | SslProtocols.Tls12 },
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (TlsVersionRejectedException e)
        {
            // The profile's --min-tls refused the server: a decision of the policy, not a network failure.
            error.WriteLine($"EmsClient: {e.Message}");
            return Refused;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            error.WriteLine($"EmsClient: TLS handshake with {options.Host}:{options.Port} failed: {e.Message}");
            return ConnectionFailed;
        }

        Report(decision, identity, output);

        if (!decision.ShouldConnect)
        {
            ReportPendingQuestion(options, identity, decision, output);
            return Refused;
        }

        await using (tls)
        {
            await TalkAsync(tls, output).ConfigureAwait(false);
        }

        return Connected;
    }

    /// <summary>Prints the decision with its report; the "decision" line is the one scripts and the demo read.</summary>
    internal static void Report(CertificateDecision decision, ServerIdentity identity, TextWriter output)
    {
        ValidationReport report = decision.Report;
        output.WriteLine($"server      {identity}");
        output.WriteLine($"certificate {report.Certificate?.Subject ?? "(none)"}  SHA-256 {report.Certificate?.Sha256Fingerprint ?? "-"}");
        output.WriteLine($"modern      {(report.Modern.IsValid ? "valid" : "invalid: " + string.Join("; ", report.Modern.Problems.Select(p => p.Message)))}");
        if (report.Modern.Notices.Count > 0)
        {
            output.WriteLine($"accepted    {string.Join(", ", report.Modern.Notices.Select(n => n.Kind))}: {string.Join("; ", report.Modern.Notices.Select(n => n.Message))}");
        }

        if (report.Legacy is { } legacy)
        {
            output.WriteLine($"legacy      {(legacy.IsValid ? "valid" : "invalid: " + string.Join("; ", legacy.Problems.Select(p => p.Message)))}");
        }

        output.WriteLine($"decision    {decision.Outcome} ({decision.Reason}): {decision.Message}");
        if (decision.MigrationPreview is { } preview)
        {
            output.WriteLine($"would       {preview.Message}");
        }
    }

    private static CertificateDecisionEngine CreateEngine(AgentOptions options, TextWriter output, TextReader? console)
    {
        var validator = new CertificateValidator(new CertificateValidatorOptions
        {
            TrustStore = options.TrustPath is null ? TrustStore.System : TrustStore.FromPemFile(options.TrustPath),
            Mode = options.Mode,
            ExpectedSubject = options.ExpectedSubject,
            AcceptCommonNameWithoutSubjectAltName = options.AcceptCommonNameOnly,
        });
        ICertificatePrompt? prompt = options.Headless ? null : options.ScriptedAnswer is { } answer
            ? new ScriptedPrompt(answer, output)
            : console is not null ? new ConsoleCertificatePrompt(console, output) : null;
        var engineOptions = new CertificateDecisionEngineOptions
        {
            ProfileName = "agent",
            InvalidCertificateAction = options.Action,
            Approvals = options.ApprovalsPath is null ? new InMemoryApprovalStore() : new FileApprovalStore(options.ApprovalsPath),
            ApprovalScope = options.ApprovalScope,
            Prompt = prompt,
            PendingQuestions = options.Headless && options.ApprovalsPath is not null ? new PendingQuestionStore(PendingQuestionStore.FilePathFor(options.ApprovalsPath)) : null,
            MinimumTlsVersion = options.MinimumTlsVersion,
        };
        foreach (string pin in options.Pins)
        {
            engineOptions.PreApprovedFingerprints.Add(pin);
        }

        foreach (string fingerprint in options.Distrusted)
        {
            engineOptions.DistrustedFingerprints.Add(fingerprint);
        }

        return new CertificateDecisionEngine(validator, engineOptions);
    }

    /// <summary>
    /// A headless agent's refusal for want of an answer: says where the question was recorded and the exact command
    /// that answers it. On the HTTP path the question is recorded in the background, so it is looked for a few times
    /// (at most 2 seconds).
    /// </summary>
    internal static void ReportPendingQuestion(AgentOptions options, ServerIdentity identity, CertificateDecision decision, TextWriter output)
    {
        if (!options.Headless || decision.Reason != DecisionReason.NoPrompt || decision.Report.Certificate is not { } certificate)
        {
            return;
        }

        if (options.ApprovalsPath is null)
        {
            output.WriteLine("question    not recorded: give --approvals FILE to keep questions for an administrator");
            return;
        }

        var store = new PendingQuestionStore(PendingQuestionStore.FilePathFor(options.ApprovalsPath));
        PendingQuestion? question = null;
        bool parsed = CertificateFingerprint.TryParse(certificate.Sha256Fingerprint, out CertificateFingerprint sha256);
        for (int attempt = 0; parsed && attempt < 20 && (question = store.Find(identity, sha256)) is null; attempt++)
        {
            Thread.Sleep(100);
        }

        if (question is null)
        {
            output.WriteLine($"question    could not be recorded in {store.FilePath}");
            return;
        }

        string approvals = Path.GetFullPath(options.ApprovalsPath);
        approvals = approvals.Any(char.IsWhiteSpace) ? $"\"{approvals}\"" : approvals;
        output.WriteLine($"question    recorded in {store.FilePath} (attempt {question.Attempts}); answer it with:");
        output.WriteLine($"  certpolicy approvals approve {identity} --sha256 {sha256} --approvals {approvals}");
        output.WriteLine($"  certpolicy approvals deny {identity} --sha256 {sha256} --approvals {approvals}");
    }

    /// <summary>Sends one request and prints what the server says, if anything, within a short time: the agent never waits for the server to speak first.</summary>
    private static async Task TalkAsync(SslStream tls, TextWriter output)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await tls.WriteAsync(Encoding.UTF8.GetBytes("HELLO agent: licence, telemetry, configuration?\n"), timeout.Token).ConfigureAwait(false);
            await tls.FlushAsync(timeout.Token).ConfigureAwait(false);
            byte[] buffer = new byte[1024];
            int read = await tls.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            if (read > 0)
            {
                output.WriteLine($"server says {Encoding.UTF8.GetString(buffer, 0, read).TrimEnd()}");
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            output.WriteLine("server said nothing (the connection stays fine: the agent does not need the server to speak first)");
        }
    }
}
