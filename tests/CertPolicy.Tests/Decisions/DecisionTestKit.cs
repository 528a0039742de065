using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Decisions;

/// <summary>Validation reports built directly, as a validator would produce them.</summary>
internal static class Reports
{
    public static readonly ServerIdentity Server = ServerIdentity.Create("ems.example.test", 8443);

    private static readonly Lazy<(CertificateSummary Leaf, CertificateSummary Other)> Certificates = new(() =>
    {
        using X509Certificate2 root = TestPki.CreateRoot("Decision Test Root");
        using X509Certificate2 leaf = TestPki.CreateLeaf(root, ["ems.example.test"]);
        using X509Certificate2 other = TestPki.CreateLeaf(root, ["ems.example.test"], commonName: "replacement");
        return (SummaryOf(leaf), SummaryOf(other));
    });

    /// <summary>A real leaf's summary.</summary>
    public static CertificateSummary Leaf => Certificates.Value.Leaf;

    /// <summary>Another real leaf for the same name: a different certificate.</summary>
    public static CertificateSummary OtherLeaf => Certificates.Value.Other;

    public static CertificateSummary SummaryOf(X509Certificate2 certificate) => new(
        certificate.Subject,
        certificate.Issuer,
        certificate.SerialNumber,
        certificate.NotBefore.ToUniversalTime(),
        certificate.NotAfter.ToUniversalTime(),
        certificate.GetCertHashString(HashAlgorithmName.SHA256),
        ["ems.example.test"],
        []);

    /// <summary>A summary with a made-up fingerprint, for bulk tests.</summary>
    public static CertificateSummary Synthetic(string label) => new(
        $"CN={label}",
        "CN=Synthetic Root",
        "01",
        TestPki.DefaultNotBefore,
        TestPki.DefaultNotAfter,
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(label))),
        [label],
        []);

    public static ValidationReport Valid(ServerIdentity? server = null, CertificateSummary? certificate = null) =>
        new(ValidationMode.Modern, server ?? Server, ValidationVerdict.Valid, null, certificate ?? Leaf, [certificate ?? Leaf], TestPki.Now);

    public static ValidationReport Invalid(
        CertificateProblemKinds kinds,
        ServerIdentity? server = null,
        CertificateSummary? certificate = null,
        bool withoutServer = false,
        bool withoutCertificate = false)
    {
        CertificateSummary? leaf = withoutCertificate ? null : certificate ?? Leaf;
        return new ValidationReport(
            ValidationMode.Modern,
            withoutServer ? null : server ?? Server,
            Verdict(kinds, leaf?.Subject),
            null,
            leaf,
            leaf is null ? [] : [leaf],
            TestPki.Now);
    }

    public static ValidationVerdict Verdict(CertificateProblemKinds kinds, string? subject = "CN=ems.example.test")
    {
        var problems = new List<CertificateProblem>();
        foreach (CertificateProblemKinds kind in Enum.GetValues<CertificateProblemKinds>())
        {
            if (kind != CertificateProblemKinds.None && kinds.HasFlag(kind))
            {
                problems.Add(new CertificateProblem(kind, 0, subject, $"The validator found {kind}."));
            }
        }

        return new ValidationVerdict(problems);
    }
}

/// <summary>
/// A prompt for tests: records every question, and answers at once or when the test releases it. Not a mock: a
/// real implementation of the abstraction, as a console or dialog prompt would be.
/// </summary>
internal sealed class TestPrompt : ICertificatePrompt
{
    private readonly PromptAnswer? _immediateAnswer;
    private readonly TaskCompletionSource<PromptAnswer> _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<(CertificatePromptRequest Request, CancellationToken Token)> _calls = new();
    private readonly SemaphoreSlim _callSignal = new(0);

    private TestPrompt(PromptAnswer? immediateAnswer) => _immediateAnswer = immediateAnswer;

    public Exception? Failure { get; init; }

    /// <summary>Keep waiting even after the token is cancelled, like a badly written dialog.</summary>
    public bool IgnoresCancellation { get; init; }

    public int Calls => _calls.Count;

    public IReadOnlyList<CertificatePromptRequest> Requests => [.. _calls.Select(c => c.Request)];

    public CancellationToken LastToken => _calls.Last().Token;

    /// <summary>Completes when the first question is asked.</summary>
    public Task Asked => _asked.Task;

    public static TestPrompt Answering(PromptAnswer answer) => new(answer);

    /// <summary>Waits for <see cref="Release"/> (or cancellation) before answering.</summary>
    public static TestPrompt Gated() => new(null);

    /// <summary>Waits for <see cref="Release"/> even when cancelled, like a badly written dialog.</summary>
    public static TestPrompt GatedIgnoringCancellation() => new(null) { IgnoresCancellation = true };

    public static TestPrompt Throwing(Exception failure) => new(null) { Failure = failure };

    public void Release(PromptAnswer answer) => _release.TrySetResult(answer);

    /// <summary>Waits (at most 30 seconds) until <paramref name="count"/> questions have been asked in all.</summary>
    public async Task WaitForCallsAsync(int count)
    {
        for (int seen = 0; seen < count; seen++)
        {
            Assert.True(await _callSignal.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), $"Only {seen} of {count} questions were asked.");
        }
    }

    public async ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
    {
        _calls.Enqueue((request, cancellationToken));
        _asked.TrySetResult();
        _callSignal.Release();
        if (Failure is not null)
        {
            throw Failure;
        }

        if (_immediateAnswer is { } answer)
        {
            return answer;
        }

        return IgnoresCancellation ? await _release.Task : await _release.Task.WaitAsync(cancellationToken);
    }
}

/// <summary>An approval store that fails, as a broken disk or a faulty custom store would.</summary>
internal sealed class FailingApprovalStore(bool failReads, bool failWrites) : ApprovalStore
{
    private readonly InMemoryApprovalStore _inner = new();

    public override CertificateApproval? Find(ServerIdentity server, CertificateFingerprint certificateSha256) =>
        failReads ? throw new ApprovalStoreException("The disk is unreadable.") : _inner.Find(server, certificateSha256);

    public override IReadOnlyList<CertificateApproval> FindForServer(ServerIdentity server) =>
        failReads ? throw new ApprovalStoreException("The disk is unreadable.") : _inner.FindForServer(server);

    public override IReadOnlyList<CertificateApproval> List() => _inner.List();

    public override ValueTask SaveAsync(CertificateApproval approval, CancellationToken cancellationToken = default) =>
        failWrites ? ValueTask.FromException(new ApprovalStoreException("The disk is full.")) : _inner.SaveAsync(approval, cancellationToken);

    public override ValueTask<bool> ForgetAsync(ServerIdentity server, CertificateFingerprint certificateSha256, CancellationToken cancellationToken = default) =>
        _inner.ForgetAsync(server, certificateSha256, cancellationToken);

    public override ValueTask<int> ForgetAllAsync(ServerIdentity server, CancellationToken cancellationToken = default) =>
        _inner.ForgetAllAsync(server, cancellationToken);
}

/// <summary>A meter factory whose meters are scoped to it, so a test's collector sees only that test's measurements.</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (Meter meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}

/// <summary>An engine with a fake clock, an in-memory store, fake logging and its own meter.</summary>
internal sealed class EngineFixture : IDisposable
{
    public EngineFixture(InvalidCertificateAction action, ICertificatePrompt? prompt, ApprovalStore? approvals = null, TimeSpan? promptTimeout = null)
    {
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Approvals = approvals ?? new InMemoryApprovalStore();
        Engine = new CertificateDecisionEngine(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }, Time),
            new CertificateDecisionEngineOptions
            {
                ProfileName = "test",
                InvalidCertificateAction = action,
                Approvals = Approvals,
                Prompt = prompt,
                PromptTimeout = promptTimeout ?? TimeSpan.FromMinutes(2),
                LoggerFactory = LoggerFactory,
                MeterFactory = Meters,
            });
    }

    public FakeTimeProvider Time { get; } = new(TestPki.Now);

    public FakeLoggerProvider Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; }

    public TestMeterFactory Meters { get; } = new();

    public ApprovalStore Approvals { get; }

    public CertificateDecisionEngine Engine { get; }

    public void Dispose()
    {
        LoggerFactory.Dispose();
        Logs.Dispose();
        Meters.Dispose();
    }
}
