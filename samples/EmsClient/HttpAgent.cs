using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CertPolicy.Samples.EmsClient;

/// <summary>
/// The agent over HTTPS (<c>--http</c>): the same flags become an endpoint profile registered with
/// <c>AddCertPolicy</c>, and one <c>GET /api/v1/licence</c> goes through an <see cref="IHttpClientFactory"/> client
/// set up with <c>UseCertPolicy</c>, as an HTTP agent would be built. Same output and exit codes as the
/// <see cref="SslStream"/> path.
/// </summary>
/// <remarks>
/// An HTTP request cannot wait for a person, so under Warn a certificate without a remembered approval is refused
/// with <see cref="DecisionReason.NeedsUserAnswer"/>. When someone can answer (<c>--answer</c>, or a console), the
/// agent then asks the documented way: one TLS connection with <see cref="HandshakePolicy.AuthenticateAsClientAsync"/>
/// of the same profile, which asks and remembers an Allow, and the request again, which finds the approval.
/// </remarks>
internal static class HttpAgent
{
    /// <summary>The profile and client name.</summary>
    internal const string ProfileName = "agent";

    private const string LicencePath = "/api/v1/licence";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(AgentOptions options, TextWriter output, TextWriter error, TextReader? console)
    {
        ServerIdentity identity;
        try
        {
            identity = ServerIdentity.Create(options.ServerName, options.Port);
        }
        catch (ArgumentException e)
        {
            error.WriteLine($"EmsClient: {e.Message}");
            return Agent.BadArguments;
        }

        // Without --approvals, approvals live for this run only, as on the SslStream path: in a folder of its own.
        DirectoryInfo? scratch = options.ApprovalsPath is null ? Directory.CreateTempSubdirectory("emsclient-") : null;
        try
        {
            string approvals = Path.GetFullPath(options.ApprovalsPath ?? Path.Combine(scratch!.FullName, "approvals.json"));
            var decisions = new DecisionLog();
            await using ServiceProvider services = CreateServices(options, approvals, decisions, output, console);
            try
            {
                services.GetRequiredService<IStartupValidator>().Validate();
            }
            catch (Exception e) when (e is OptionsValidationException or AggregateException)
            {
                // Each failure once (a profile is checked for itself and for the client that uses it).
                IEnumerable<Exception> failures = e is AggregateException all ? all.Flatten().InnerExceptions : [e];
                error.WriteLine($"EmsClient: {string.Join(" ", failures.Select(f => f.Message).Distinct())}");
                return Agent.BadArguments;
            }

            HttpClient client = services.GetRequiredService<IHttpClientFactory>().CreateClient(ProfileName);
            Uri uri = new UriBuilder(Uri.UriSchemeHttps, options.ServerName, options.Port, LicencePath).Uri;
            output.WriteLine($"transport   HTTPS GET {uri} via IHttpClientFactory, UseCertPolicy(\"{ProfileName}\")");
            bool canAsk = services.GetRequiredService<EndpointProfileProvider>().GetEngine(ProfileName).CanPrompt;
            (int exitCode, CertificateDecision? refusal) = await GetAsync(client, uri, identity, decisions, output, error).ConfigureAwait(false);
            if (refusal is null)
            {
                return exitCode;
            }

            if (refusal.Reason != DecisionReason.NeedsUserAnswer || !canAsk)
            {
                Agent.Report(refusal, identity, output);
                Agent.ReportPendingQuestion(options, identity, refusal, output);
                return exitCode;
            }

            // Someone can answer: ask over TLS with the profile's policy (an Allow is remembered), then request again.
            output.WriteLine("asking      the request needs the user's answer: asking over one TLS connection first");
            HandshakePolicy policy = services.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy(ProfileName);
            CertificateDecision decision;
            try
            {
                decision = await AskAsync(policy, options, identity).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or AuthenticationException or IOException)
            {
                error.WriteLine($"EmsClient: cannot ask over TLS at {options.Host}:{options.Port}: {e.Message}");
                return Agent.ConnectionFailed;
            }

            Agent.Report(decision, identity, output);
            if (!decision.ShouldConnect)
            {
                return Agent.Refused;
            }

            (exitCode, refusal) = await GetAsync(client, uri, identity, decisions, output, error).ConfigureAwait(false);
            if (refusal is not null)
            {
                Agent.Report(refusal, identity, output);
            }

            return exitCode;
        }
        finally
        {
            DeleteScratch(scratch);
        }
    }

    /// <summary>
    /// Best effort: a question recorded in the background (NoPrompt writes <c>approvals.json.pending.json</c>) may
    /// still be landing in the folder; a leftover temp folder is no reason to fail the agent.
    /// </summary>
    private static void DeleteScratch(DirectoryInfo? scratch)
    {
        try
        {
            scratch?.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static ServiceProvider CreateServices(AgentOptions options, string approvals, DecisionLog decisions, TextWriter output, TextReader? console)
    {
        var services = new ServiceCollection();

        // Every decision is logged once (event 4000 to 4012); the agent reads the one its request got from there.
        services.AddLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(decisions));
        ICertificatePrompt? prompt = options.Headless ? null : options.ScriptedAnswer is { } answer
            ? new ScriptedPrompt(answer, output)
            : console is not null ? new ConsoleCertificatePrompt(console, output) : null;
        if (prompt is not null)
        {
            services.AddSingleton(prompt);
        }

        services.AddCertPolicy(policy => policy.AddProfile(ProfileName, profile =>
        {
            profile.Mode = options.Mode;
            profile.ExpectedSubject = options.ExpectedSubject;
            profile.InvalidCertificateAction = options.Action;
            profile.AcceptCommonNameWithoutSubjectAltName = options.AcceptCommonNameOnly;
            profile.ApprovalScope = options.ApprovalScope;
            profile.TrustStore = options.TrustPath is null ? EndpointProfileOptions.SystemTrustStore : Path.GetFullPath(options.TrustPath);
            profile.ApprovalsFile = approvals;
            profile.RecordPendingQuestions = options.Headless && options.ApprovalsPath is not null;
            profile.MinimumTlsVersion = options.MinimumTlsVersion;
            foreach (string pin in options.Pins)
            {
                profile.PreApprovedFingerprints.Add(pin);
            }

            foreach (string fingerprint in options.Distrusted)
            {
                profile.DistrustedFingerprints.Add(fingerprint);
            }
        }));

        // The request names the server as --server-name (so CertPolicy judges that identity, and TLS sends it as SNI);
        // the connection goes to --server, as a hosts-file entry would send it.
        services.AddHttpClient(ProfileName, client => client.Timeout = s_timeout)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                UseProxy = false,
                ConnectTimeout = s_timeout,
                ConnectCallback = (context, cancellationToken) => ConnectAsync(options.Host, options.Port, cancellationToken),
            })
            .UseCertPolicy(ProfileName);
        return services.BuildServiceProvider();
    }

    private static async ValueTask<Stream> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// GETs the licence and prints what the server answered with the decision the connection got; a refusal is
    /// returned to the caller to report (or to ask about).
    /// </summary>
    private static async Task<(int ExitCode, CertificateDecision? Refusal)> GetAsync(HttpClient client, Uri uri, ServerIdentity identity, DecisionLog decisions, TextWriter output, TextWriter error)
    {
        decisions.Clear();
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(uri).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (CertificateRejectedException.Find(e) is { } rejected)
        {
            return (Agent.Refused, rejected.Decision);
        }
        catch (HttpRequestException e) when (TlsVersionRejectedException.Find(e) is { } tooOld)
        {
            // The profile's --min-tls refused the server: a decision of the policy, not a network failure.
            error.WriteLine($"EmsClient: {tooOld.Message}");
            return (Agent.Refused, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            string cause = e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $" ({inner.Message})" : "";
            error.WriteLine($"EmsClient: HTTPS request to {uri} failed: {e.Message}{cause}");
            return (Agent.ConnectionFailed, null);
        }

        using (response)
        {
            // The request went through, so the connection's decision was Connect: the log says which reason.
            output.WriteLine($"server      {identity}");
            output.WriteLine($"decision    {decisions.LastConnect ?? "Connect (from the connection pool): no new connection was judged"}");
            if (decisions.LastWould is { } would)
            {
                output.WriteLine($"would       {would}");
            }
            string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            output.WriteLine($"server says {(int)response.StatusCode} {response.ReasonPhrase} {body}");
        }

        return (Agent.Connected, null);
    }

    private static async Task<CertificateDecision> AskAsync(HandshakePolicy policy, AgentOptions options, ServerIdentity identity)
    {
        using var tcp = new TcpClient();
        using (var timeout = new CancellationTokenSource(s_timeout))
        {
            await tcp.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
        }

        // The person may take their time: the profile's prompt timeout bounds the question, not this agent.
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        return await policy.AuthenticateAsClientAsync(tls, identity, options: null, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Keeps the decision events CertPolicy logs (their state carries the reason), for the agent's report.</summary>
    private sealed class DecisionLog : ILoggerProvider, ILogger
    {
        private readonly Lock _gate = new();
        private string? _lastConnect;
        private string? _lastWould;

        /// <summary>The last Connect decision logged since <see cref="Clear"/>, as "Connect (Reason): message".</summary>
        public string? LastConnect
        {
            get
            {
                lock (_gate)
                {
                    return _lastConnect;
                }
            }
        }

        /// <summary>
        /// In report-only mode, what modern validation would have done with the last connection (event 4400), as
        /// "Refuse (DeniedByPolicy) under modern validation: message"; null otherwise.
        /// </summary>
        public string? LastWould
        {
            get
            {
                lock (_gate)
                {
                    return _lastWould;
                }
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _lastConnect = null;
                _lastWould = null;
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == "MigrationPreview"
                && state is IReadOnlyList<KeyValuePair<string, object?>> preview
                && preview.FirstOrDefault(v => v.Key == "Would").Value is string { Length: > 0 } would
                && preview.FirstOrDefault(v => v.Key == "WouldReason").Value is DecisionReason wouldReason)
            {
                string text = $"{char.ToUpperInvariant(would[0])}{would[1..]} ({wouldReason}) under modern validation: {formatter(state, exception)}";
                lock (_gate)
                {
                    _lastWould = text;
                }

                return;
            }

            // The event's name is the reason; the message template says the outcome ("Profile {Profile}: Connect ...").
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values
                || values.FirstOrDefault(v => v.Key == "Reason").Value is not DecisionReason reason
                || eventId.Name != reason.ToString())
            {
                return;
            }

            string message = formatter(state, exception);
            if (message.Contains(": Connect ", StringComparison.Ordinal))
            {
                lock (_gate)
                {
                    _lastConnect = $"Connect ({reason}): {message}";
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
