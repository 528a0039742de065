using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Decisions;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// A prompt that answers from a script, in order, and records every question. When the script runs out it throws,
/// so a question the test did not expect refuses the connection (PromptFailed) and shows in <see cref="Calls"/>.
/// A real implementation of <see cref="ICertificatePrompt"/>, as a console prompt would be.
/// </summary>
internal sealed class ScriptedPrompt : ICertificatePrompt
{
    private readonly ConcurrentQueue<PromptAnswer> _answers;
    private readonly ConcurrentQueue<CertificatePromptRequest> _requests = new();

    public ScriptedPrompt(params PromptAnswer[] answers) => _answers = new ConcurrentQueue<PromptAnswer>(answers);

    public int Calls => _requests.Count;

    public IReadOnlyList<CertificatePromptRequest> Requests => [.. _requests];

    public void Then(params PromptAnswer[] answers)
    {
        foreach (PromptAnswer answer in answers)
        {
            _answers.Enqueue(answer);
        }
    }

    public ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        return _answers.TryDequeue(out PromptAnswer answer)
            ? ValueTask.FromResult(answer)
            : ValueTask.FromException<PromptAnswer>(new InvalidOperationException($"The script has no answer for question {_requests.Count} ({request.Server})."));
    }
}

/// <summary>
/// A trust store whose anchors can be replaced while it is in use, as the abstraction allows a derived store to do:
/// a new <see cref="TrustAnchors"/> instance when, and only when, the anchors change.
/// </summary>
internal sealed class ReplaceableTrustStore(params X509Certificate2[] anchors) : TrustStore
{
    private TrustAnchors _anchors = Snapshot(anchors);

    public override TrustAnchors GetAnchors() => Volatile.Read(ref _anchors);

    public void Replace(params X509Certificate2[] anchors) => Volatile.Write(ref _anchors, Snapshot(anchors));

    private static TrustAnchors Snapshot(X509Certificate2[] anchors) => new(anchors.Select(a => (ReadOnlyMemory<byte>)a.RawData));
}

/// <summary>The certificates of the handshake tests, generated once: a private CA and leaves for every case.</summary>
internal static class HandshakePki
{
    public const string Host = "ems.example.test";

    public static readonly DateTimeOffset ExpiredOn = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset ValidFrom = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<X509Certificate2> LazyRoot = new(() => TestPki.CreateRoot("EMS Test Root"));
    private static readonly Lazy<X509Certificate2> LazyOtherRoot = new(() => TestPki.CreateRoot("Unknown Root"));
    private static readonly ConcurrentDictionary<string, X509Certificate2> Leaves = new(StringComparer.Ordinal);

    /// <summary>The root the agents trust.</summary>
    public static X509Certificate2 Root => LazyRoot.Value;

    /// <summary>A root no agent trusts.</summary>
    public static X509Certificate2 OtherRoot => LazyOtherRoot.Value;

    /// <summary>The server's proper certificate: issued by <see cref="Root"/> for <see cref="Host"/>.</summary>
    public static X509Certificate2 Valid => Leaf("valid", () => TestPki.CreateLeaf(Root, [Host]));

    /// <summary>Expired at <see cref="ExpiredOn"/>, before <see cref="TestPki.Now"/>.</summary>
    public static X509Certificate2 Expired => Leaf("expired", () => TestPki.CreateLeaf(Root, [Host], notAfter: ExpiredOn));

    /// <summary>Valid only from <see cref="ValidFrom"/>, after <see cref="TestPki.Now"/>.</summary>
    public static X509Certificate2 NotYetValid => Leaf("not-yet-valid", () => TestPki.CreateLeaf(Root, [Host], notBefore: ValidFrom));

    /// <summary>Issued by <see cref="Root"/> for another name.</summary>
    public static X509Certificate2 WrongName => Leaf("wrong-name", () => TestPki.CreateLeaf(Root, ["other.example.test"]));

    /// <summary>For <see cref="Host"/>, but issued by <see cref="OtherRoot"/>.</summary>
    public static X509Certificate2 UntrustedRoot => Leaf("untrusted", () => TestPki.CreateLeaf(OtherRoot, [Host]));

    /// <summary>Another certificate for the same host, from the same unknown root (a re-issued certificate).</summary>
    public static X509Certificate2 UntrustedRootReissued => Leaf("untrusted-2", () => TestPki.CreateLeaf(OtherRoot, [Host]));

    /// <summary>Like a product's built-in certificate: self-signed, the same everywhere, naming no real server.</summary>
    public static X509Certificate2 VendorDefault => Leaf("vendor", () => TestPki.CreateSelfSignedLeaf("EMS Default Certificate", ["ems.vendor-default.invalid"]));

    /// <summary>Issued by <see cref="Root"/> with 127.0.0.1 in its subjectAltName.</summary>
    public static X509Certificate2 LoopbackIP => Leaf("ip-san", () => TestPki.CreateLeaf(Root, [], [IPAddress.Loopback], commonName: "127.0.0.1"));

    /// <summary>Issued by <see cref="Root"/> with 127.0.0.1 only as subject common name (no subjectAltName).</summary>
    public static X509Certificate2 LoopbackIPInCommonNameOnly => Leaf("ip-cn", () => TestPki.CreateLeaf(Root, [], commonName: "127.0.0.1", includeSan: false));

    /// <summary>A certificate of the named kind.</summary>
    public static X509Certificate2 Of(string kind) => kind switch
    {
        "valid" => Valid,
        "expired" => Expired,
        "not-yet-valid" => NotYetValid,
        "wrong-name" => WrongName,
        "untrusted-root" => UntrustedRoot,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>
    /// The problem kind each broken certificate has. A TLS server never sends its root, so a certificate from a CA
    /// the agent does not trust shows as a path that stops short of any trusted root (PartialChain).
    /// </summary>
    public static CertificateProblemKinds ProblemOf(string kind) => kind switch
    {
        "expired" => CertificateProblemKinds.Expired,
        "not-yet-valid" => CertificateProblemKinds.NotYetValid,
        "wrong-name" => CertificateProblemKinds.NameMismatch,
        "untrusted-root" => CertificateProblemKinds.PartialChain,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static X509Certificate2 Leaf(string name, Func<X509Certificate2> create) => Leaves.GetOrAdd(name, _ => create());
}

/// <summary>
/// An agent's side of the handshake tests: a fake clock at <see cref="TestPki.Now"/>, an approval store, a scripted
/// prompt, a decision engine per profile and a <see cref="HandshakePolicy"/> over it, collectors of the decisions
/// meter (every decision is counted there, fast-path answers included; the duration histogram tells which path
/// answered), and the engine's log.
/// </summary>
internal sealed class Agent : IDisposable
{
    private readonly TestMeterFactory _meters = new();
    private readonly Microsoft.Extensions.Logging.ILoggerFactory _loggerFactory;
    private readonly Action<CertificateDecisionEngineOptions>? _configure;
    private readonly Action<CertificateValidatorOptions>? _configureValidator;

    public Agent(
        InvalidCertificateAction action,
        ScriptedPrompt? prompt = null,
        ApprovalStore? approvals = null,
        TrustStore? trustStore = null,
        ValidationMode mode = ValidationMode.Modern,
        string? expectedSubject = null,
        FakeTimeProvider? time = null,
        Action<CertificateDecisionEngineOptions>? configure = null,
        Action<CertificateValidatorOptions>? configureValidator = null)
    {
        _configure = configure;
        _configureValidator = configureValidator;
        Time = time ?? new FakeTimeProvider(TestPki.Now);
        Prompt = prompt ?? new ScriptedPrompt();
        Approvals = approvals ?? new InMemoryApprovalStore();
        TrustStore = trustStore ?? TrustStore.FromCertificates([HandshakePki.Root]);
        Decisions = new MetricCollector<long>(_meters, "CertPolicy", "certpolicy.decisions");
        Durations = new MetricCollector<double>(_meters, "CertPolicy", "certpolicy.decision.duration");
        Migration = new MetricCollector<long>(_meters, "CertPolicy", "certpolicy.migration.would_decide");
        _loggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace).AddProvider(Logs));
        Engine = CreateEngine(action, mode, expectedSubject);
        Policy = new HandshakePolicy(Engine);
    }

    public FakeTimeProvider Time { get; }

    public ScriptedPrompt Prompt { get; }

    public ApprovalStore Approvals { get; }

    public TrustStore TrustStore { get; }

    public CertificateDecisionEngine Engine { get; }

    public HandshakePolicy Policy { get; }

    /// <summary>Every decision, on either path.</summary>
    public MetricCollector<long> Decisions { get; }

    /// <summary>How long every decision took, tagged with the path that answered.</summary>
    public MetricCollector<double> Durations { get; }

    /// <summary>Every report-only preview (what modern validation would do), on either path.</summary>
    public MetricCollector<long> Migration { get; }

    /// <summary>What the engines logged.</summary>
    public Microsoft.Extensions.Logging.Testing.FakeLoggerProvider Logs { get; } = new();

    /// <summary>How many decisions the engine took on the full path so far.</summary>
    public int FullDecisions => FullPath().Count;

    /// <summary>The reason of the engine's last full-path decision.</summary>
    public string? LastReason => FullPath().LastOrDefault()?.Tags["certpolicy.reason"] as string;

    /// <summary>A second engine over the same store, clock and trust store: what the full path decides, with no cache in front.</summary>
    public CertificateDecisionEngine CreateEngine(InvalidCertificateAction action, ValidationMode mode = ValidationMode.Modern, string? expectedSubject = null)
    {
        var options = new CertificateDecisionEngineOptions
        {
            ProfileName = "agent",
            InvalidCertificateAction = action,
            Approvals = Approvals,
            Prompt = Prompt,
            MeterFactory = _meters,
            LoggerFactory = _loggerFactory,
        };
        _configure?.Invoke(options);
        var validatorOptions = new CertificateValidatorOptions { TrustStore = TrustStore, Mode = mode, ExpectedSubject = expectedSubject };
        _configureValidator?.Invoke(validatorOptions);
        return new(new CertificateValidator(validatorOptions, Time), options);
    }

    public void Dispose()
    {
        Decisions.Dispose();
        Durations.Dispose();
        Migration.Dispose();
        _loggerFactory.Dispose();
        Logs.Dispose();
        _meters.Dispose();
    }

    private List<CollectedMeasurement<double>> FullPath() =>
        [.. Durations.GetMeasurementSnapshot().Where(m => Equals(m.Tags["certpolicy.path"], "full"))];
}

/// <summary>What the client saw of one connection.</summary>
/// <param name="Connected">True when the handshake completed and the policy let the connection go ahead.</param>
/// <param name="Echo">What the server echoed of the client's message; null when nothing was exchanged.</param>
/// <param name="Decision">The decision, for connections made with <see cref="HandshakePolicy.AuthenticateAsClientAsync"/>.</param>
internal sealed record ClientResult(bool Connected, string? Echo, CertificateDecision? Decision);

/// <summary>The agent's side of a connection, the two ways an application can use a <see cref="HandshakePolicy"/>.</summary>
internal static class TlsClient
{
    public const string Message = "HELLO from the agent\n";

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/> with the policy's synchronous validation callback
    /// (<see cref="HandshakePolicy.CreateClientOptions"/>); on success, sends <see cref="Message"/> and reads the echo.
    /// </summary>
    public static async Task<ClientResult> ConnectWithCallbackAsync(HandshakePolicy policy, ServerIdentity identity, int port)
    {
        using var limit = Limit();
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, port, limit.Token);
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        SslClientAuthenticationOptions options = policy.CreateClientOptions(identity);
        options.EnabledSslProtocols = SslProtocols.Tls13;
        try
        {
            await tls.AuthenticateAsClientAsync(options, limit.Token);
        }
        catch (AuthenticationException)
        {
            return new ClientResult(false, null, null);
        }

        return new ClientResult(true, await ExchangeAsync(tls, limit.Token), null);
    }

    /// <summary>
    /// Connects to 127.0.0.1:<paramref name="port"/> with <see cref="HandshakePolicy.AuthenticateAsClientAsync"/>; when
    /// it connects, sends <see cref="Message"/> and reads the echo; when it refuses, checks that the stream was closed.
    /// </summary>
    public static async Task<ClientResult> ConnectAsync(HandshakePolicy policy, ServerIdentity identity, int port)
    {
        using var limit = Limit();
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, port, limit.Token);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
        CertificateDecision decision = await policy.AuthenticateAsClientAsync(
            tls, identity, new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls13 }, limit.Token);
        if (!decision.ShouldConnect)
        {
            // Refused: the policy has disposed the stream, so not a byte can be written or read.
            Assert.False(tls.CanRead);
            Assert.False(tls.CanWrite);
            await Assert.ThrowsAnyAsync<ObjectDisposedException>(async () => await tls.WriteAsync(new byte[1], limit.Token));
            return new ClientResult(false, null, decision);
        }

        await using (tls)
        {
            return new ClientResult(true, await ExchangeAsync(tls, limit.Token), decision);
        }
    }

    /// <summary>Bounds a connection's waits: 10 seconds, or the test's cancellation.</summary>
    public static CancellationTokenSource Limit()
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        return limit;
    }

    private static async Task<string> ExchangeAsync(SslStream tls, CancellationToken cancellationToken)
    {
        byte[] message = System.Text.Encoding.ASCII.GetBytes(Message);
        await tls.WriteAsync(message, cancellationToken);
        byte[] echo = new byte[message.Length];
        await tls.ReadExactlyAsync(echo, cancellationToken);
        return System.Text.Encoding.ASCII.GetString(echo);
    }
}
