using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CertPolicy.Tests.Handshake;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Approvals;

/// <summary>
/// Pending questions (issue 17) over real TLS on loopback and real files: a headless Warn agent records what it could
/// not ask, once per server and certificate, and an answer written elsewhere (another store, another process) is
/// honoured by the agent's next connection without a restart.
/// </summary>
public sealed class PendingQuestionTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);
    private readonly TempDirectory _directory = new();
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;

    public PendingQuestionTests() =>
        _loggerFactory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServerIdentity Server(int port) => ServerIdentity.Create(HandshakePki.Host, port);

    private string ApprovalsPath => _directory.File("approvals.json");

    private string PendingPath => PendingQuestionStore.FilePathFor(ApprovalsPath);

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _logs.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_headless_agent_records_one_question_per_server_and_certificate_however_many_connections()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        var policy = new HandshakePolicy(HeadlessEngine());

        for (int i = 0; i < 3; i++)
        {
            ClientResult result = await TlsClient.ConnectAsync(policy, Server(server.Port), server.Port);
            Assert.False(result.Connected);
            Assert.Equal(DecisionReason.NoPrompt, result.Decision!.Reason);
        }

        ClientResult[] concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => TlsClient.ConnectAsync(policy, Server(server.Port), server.Port))).WaitAsync(Bound, Ct);
        Assert.All(concurrent, r => Assert.Equal(DecisionReason.NoPrompt, r.Decision!.Reason));

        PendingQuestion question = Assert.Single(new PendingQuestionStore(PendingPath).List());
        Assert.Equal(Server(server.Port), question.Server);
        Assert.Equal(CertificateFingerprint.Compute(HandshakePki.UntrustedRoot.RawData), question.Fingerprint);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(HandshakePki.UntrustedRoot.PublicKey.ExportSubjectPublicKeyInfo())), question.SpkiSha256);
        Assert.Equal(CertificateProblemKinds.PartialChain, question.Problems);
        Assert.Equal(8, question.Attempts);
        Assert.Contains("CN=", question.Subject, StringComparison.Ordinal);
        Assert.Equal(HandshakePki.UntrustedRoot.NotAfter.ToUniversalTime(), question.NotAfter.UtcDateTime);
        Assert.True(question.FirstSeen <= question.LastSeen);
        Assert.True(File.Exists(PendingPath));
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4300);
    }

    [Fact]
    public async Task Processes_recording_at_once_keep_one_question_with_every_attempt_counted()
    {
        const int Processes = 3;
        const int PerProcess = 4;
        const int InProcess = 4;
        string der = _directory.File("leaf.der");
        await File.WriteAllBytesAsync(der, HandshakePki.UntrustedRoot.RawData, Ct);
        string goFile = _directory.File("go");
        var processes = new List<Process>();
        try
        {
            for (int p = 0; p < Processes; p++)
            {
                processes.Add(StartHelper("pending", ApprovalsPath, der, HandshakePki.Host, "8443", PerProcess.ToString(CultureInfo.InvariantCulture), goFile));
            }

            await File.WriteAllTextAsync(goFile, "go", Ct);
            CertificateDecisionEngine engine = HeadlessEngine();
            for (int i = 0; i < InProcess; i++)
            {
                CertificateDecision decision = await engine.DecideAsync([HandshakePki.UntrustedRoot.RawData], Server(8443), Ct);
                Assert.Equal(DecisionReason.NoPrompt, decision.Reason);
            }

            foreach (Process process in processes)
            {
                await ExpectExitAsync(process, 0);
            }
        }
        finally
        {
            KillAll(processes);
        }

        PendingQuestion question = Assert.Single(new PendingQuestionStore(PendingPath).List());
        Assert.Equal((Processes * PerProcess) + InProcess, question.Attempts);
        Assert.Equal(CertificateProblemKinds.PartialChain, question.Problems);
    }

    [Fact]
    public async Task Approving_in_another_process_lets_the_next_connection_connect_without_a_restart()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        var policy = new HandshakePolicy(HeadlessEngine());
        ClientResult refused = await TlsClient.ConnectAsync(policy, Server(server.Port), server.Port);
        Assert.Equal(DecisionReason.NoPrompt, refused.Decision!.Reason);

        string sha256 = CertificateFingerprint.Compute(HandshakePki.UntrustedRoot.RawData).ToString();
        await ExpectExitAsync(StartHelper("approve", ApprovalsPath, HandshakePki.Host, server.Port.ToString(CultureInfo.InvariantCulture), sha256), 0);

        ClientResult connected = await TlsClient.ConnectAsync(policy, Server(server.Port), server.Port);
        Assert.True(connected.Connected);
        Assert.Equal(TlsClient.Message, connected.Echo);
        Assert.Equal(DecisionReason.RememberedApproval, connected.Decision!.Reason);
        Assert.Empty(new PendingQuestionStore(PendingPath).List());
        CertificateApproval approval = Assert.Single(new FileApprovalStore(ApprovalsPath).List());
        Assert.Equal(CertificateProblemKinds.PartialChain, approval.AcceptedProblems);
    }

    [Fact]
    public async Task Approving_a_certificate_nobody_asked_about_is_refused_with_a_clear_error()
    {
        var approvals = new FileApprovalStore(ApprovalsPath);
        var questions = new PendingQuestionStore(PendingPath);
        await HeadlessEngine().DecideAsync([HandshakePki.UntrustedRoot.RawData], Server(8443), Ct);

        var never = CertificateFingerprint.Compute(HandshakePki.UntrustedRootReissued.RawData);
        PendingQuestionNotFoundException error = await Assert.ThrowsAsync<PendingQuestionNotFoundException>(
            async () => await questions.ApproveAsync(Server(8443), never, approvals, cancellationToken: Ct));
        Assert.Equal(never, error.Fingerprint);
        Assert.Contains("No pending question exists", error.Message, StringComparison.Ordinal);

        // The right certificate for another port was not asked about either.
        var asked = CertificateFingerprint.Compute(HandshakePki.UntrustedRoot.RawData);
        await Assert.ThrowsAsync<PendingQuestionNotFoundException>(async () => await questions.ApproveAsync(Server(9443), asked, approvals, cancellationToken: Ct));
        Assert.Empty(approvals.List());
        Assert.Single(questions.List());

        // Another process gets the same answer.
        await ExpectExitAsync(StartHelper("approve", ApprovalsPath, HandshakePki.Host, "8443", never.ToString()), 5);
        Assert.Empty(new FileApprovalStore(ApprovalsPath).List());
    }

    [Fact]
    public async Task Deny_removes_the_question_and_the_next_attempt_asks_again()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        var policy = new HandshakePolicy(HeadlessEngine());
        var questions = new PendingQuestionStore(PendingPath);
        var sha256 = CertificateFingerprint.Compute(HandshakePki.UntrustedRoot.RawData);

        await TlsClient.ConnectAsync(policy, Server(server.Port), server.Port);
        await TlsClient.ConnectAsync(policy, Server(server.Port), server.Port);
        Assert.Equal(2, Assert.Single(questions.List()).Attempts);

        Assert.True(await questions.DenyAsync(Server(server.Port), sha256, Ct));
        Assert.Empty(questions.List());
        Assert.False(await questions.DenyAsync(Server(server.Port), sha256, Ct));

        ClientResult again = await TlsClient.ConnectAsync(policy, Server(server.Port), server.Port);
        Assert.Equal(DecisionReason.NoPrompt, again.Decision!.Reason);
        Assert.Equal(1, Assert.Single(questions.List()).Attempts);
        Assert.Empty(new FileApprovalStore(ApprovalsPath).List());
    }

    [Fact]
    public async Task A_damaged_file_is_kept_aside_and_the_agent_still_works()
    {
        await File.WriteAllTextAsync(PendingPath, "{ \"version\": 1, \"questions\": [ { \"host\": 42 ", Ct);
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        await using LoopbackTlsServer valid = LoopbackTlsServer.Start(HandshakePki.Valid);
        var policy = new HandshakePolicy(HeadlessEngine());

        Assert.True((await TlsClient.ConnectAsync(policy, Server(valid.Port), valid.Port)).Connected);
        ClientResult refused = await TlsClient.ConnectAsync(policy, Server(server.Port), server.Port);
        Assert.Equal(DecisionReason.NoPrompt, refused.Decision!.Reason);

        string aside = Assert.Single(Directory.GetFiles(_directory.Path, "approvals.json.pending.json.corrupt-*"));
        Assert.StartsWith("{ \"version\": 1", await File.ReadAllTextAsync(aside, Ct), StringComparison.Ordinal);
        Assert.Equal(1, Assert.Single(new PendingQuestionStore(PendingPath).List()).Attempts);
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4303);
    }

    [Fact]
    public async Task A_full_file_refuses_new_questions_with_its_own_error_and_still_updates_old_ones()
    {
        var questions = new PendingQuestionStore(PendingPath, loggerFactory: _loggerFactory) { Limit = 1 };
        CertificateDecisionEngine engine = HeadlessEngine(questions);
        await engine.DecideAsync([HandshakePki.UntrustedRoot.RawData], Server(8443), Ct);
        CertificateDecision second = await engine.DecideAsync([HandshakePki.UntrustedRootReissued.RawData], Server(8443), Ct);
        await engine.DecideAsync([HandshakePki.UntrustedRoot.RawData], Server(8443), Ct);

        Assert.Equal(DecisionReason.NoPrompt, second.Reason);
        PendingQuestion kept = Assert.Single(questions.List());
        Assert.Equal(CertificateFingerprint.Compute(HandshakePki.UntrustedRoot.RawData), kept.Fingerprint);
        Assert.Equal(2, kept.Attempts);
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4302);
        FakeLogRecord failed = Assert.Single(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4301);
        Assert.Contains("the most it keeps", failed.Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pending_question_prompt_waits_for_an_answer_written_by_another_store()
    {
        (ClientResult result, _) = await ConnectAndAnswerOutOfBandAsync(
            async (answerer, server, sha256) => await answerer.ApproveAsync(server, sha256, new FileApprovalStore(ApprovalsPath), cancellationToken: Ct));
        Assert.True(result.Connected);
        Assert.Equal(DecisionReason.ApprovedByUser, result.Decision!.Reason);
    }

    [Fact]
    public async Task A_pending_question_prompt_refuses_when_the_question_is_denied()
    {
        (ClientResult result, FileApprovalStore approvals) = await ConnectAndAnswerOutOfBandAsync(
            async (answerer, server, sha256) => Assert.True(await answerer.DenyAsync(server, sha256, Ct)));
        Assert.False(result.Connected);
        Assert.Equal(DecisionReason.DeniedByUser, result.Decision!.Reason);
        Assert.Empty(approvals.List());
    }

    [Fact]
    public async Task A_prompt_that_times_out_leaves_the_question_recorded()
    {
        var time = new FakeTimeProvider(TestPki.Now);
        var approvals = new FileApprovalStore(ApprovalsPath);
        var silent = new SilentPrompt();
        CertificateDecisionEngine engine = Engine(approvals, silent, new PendingQuestionStore(PendingPath), TimeSpan.FromSeconds(5), time);
        ValueTask<CertificateDecision> deciding = engine.DecideAsync([HandshakePki.UntrustedRoot.RawData], Server(8443), Ct);
        await silent.Asked.Task.WaitAsync(Bound, Ct);
        time.Advance(TimeSpan.FromSeconds(6));

        CertificateDecision decision = await deciding.AsTask().WaitAsync(Bound, Ct);
        Assert.Equal(DecisionReason.PromptTimedOut, decision.Reason);
        Assert.Equal(1, Assert.Single(new PendingQuestionStore(PendingPath).List()).Attempts);
    }

    /// <summary>Waits (at most 10 s) until the question for the untrusted certificate is recorded, as another process sees it.</summary>
    private static async Task<CertificateFingerprint> WaitForQuestionAsync(PendingQuestionStore answerer, ServerIdentity server)
    {
        var sha256 = CertificateFingerprint.Compute(HandshakePki.UntrustedRoot.RawData);
        for (int i = 0; answerer.Find(server, sha256) is null; i++)
        {
            Assert.True(i < 400, "The question was never recorded.");
            await Task.Delay(25, Ct);
        }

        return sha256;
    }

    private CertificateDecisionEngine HeadlessEngine(PendingQuestionStore? questions = null) =>
        Engine(new FileApprovalStore(ApprovalsPath), prompt: null, questions ?? new PendingQuestionStore(PendingPath, loggerFactory: _loggerFactory), CertificateDecisionEngineOptions.DefaultPromptTimeout);

    private CertificateDecisionEngine Engine(ApprovalStore approvals, ICertificatePrompt? prompt, PendingQuestionStore? pending, TimeSpan promptTimeout, TimeProvider? time = null) => new(
        new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([HandshakePki.Root]) }, time ?? new FakeTimeProvider(TestPki.Now)),
        new CertificateDecisionEngineOptions
        {
            ProfileName = "headless",
            InvalidCertificateAction = InvalidCertificateAction.Warn,
            Approvals = approvals,
            Prompt = prompt,
            PendingQuestions = pending,
            PromptTimeout = promptTimeout,
            LoggerFactory = _loggerFactory,
        });

    internal static Process StartHelper(params string[] arguments)
    {
        string helper = typeof(ApprovalWriterMarker).Assembly.Location;
        Assert.True(File.Exists(helper), $"The helper {helper} was not built.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(helper);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }

    internal static async Task ExpectExitAsync(Process process, int exitCode)
    {
        using (process)
        {
            Task<string> errors = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct).WaitAsync(Bound, Ct);
            Assert.True(process.ExitCode == exitCode, $"The helper exited with {process.ExitCode}, not {exitCode}: {await errors}");
        }
    }

    private static void KillAll(List<Process> processes)
    {
        foreach (Process process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
            catch (InvalidOperationException)
            {
                // Already disposed: it exited.
            }
        }
    }

    /// <summary>A prompt nobody answers: it waits until the engine gives up.</summary>
    private sealed class SilentPrompt : ICertificatePrompt
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return PromptAnswer.Deny;
        }
    }

    /// <summary>
    /// Connects through an engine whose prompt is a <see cref="PendingQuestionPrompt"/> and, while it waits, answers
    /// the question it recorded through another store (another process's view of the files: a tray application or the
    /// certpolicy tool).
    /// </summary>
    private async Task<(ClientResult Result, FileApprovalStore Approvals)> ConnectAndAnswerOutOfBandAsync(
        Func<PendingQuestionStore, ServerIdentity, CertificateFingerprint, Task> answer)
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        var approvals = new FileApprovalStore(ApprovalsPath);
        var prompt = new PendingQuestionPrompt(new PendingQuestionStore(PendingPath), approvals);
        var policy = new HandshakePolicy(Engine(approvals, prompt, pending: null, TimeSpan.FromSeconds(30)));
        Task<ClientResult> waiting = Task.Run(() => TlsClient.ConnectAsync(policy, Server(server.Port), server.Port), Ct);

        // Another process's view of the files: a tray application or the certpolicy tool.
        var answerer = new PendingQuestionStore(PendingPath);
        CertificateFingerprint sha256 = await WaitForQuestionAsync(answerer, Server(server.Port));
        await answer(answerer, Server(server.Port), sha256);
        return (await waiting.WaitAsync(Bound, Ct), approvals);
    }
}
