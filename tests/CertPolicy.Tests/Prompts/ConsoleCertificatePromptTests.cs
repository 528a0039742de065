using System.IO.Pipes;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertPolicy.Tests.Decisions;
using CertPolicy.Tests.Handshake;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Prompts;

/// <summary>
/// <see cref="ConsoleCertificatePrompt"/> with a real decision engine: answers read from text (a string, or a real OS
/// pipe where a read has to block), questions written to text, and once over a real TLS 1.3 handshake on 127.0.0.1.
/// </summary>
public sealed class ConsoleCertificatePromptTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly Lazy<X509Certificate2> SelfSigned = new(() => TestPki.CreateSelfSignedLeaf("EMS Console Test", [HandshakePki.Host]));
    private static readonly ServerIdentity Server = ServerIdentity.Create(HandshakePki.Host, 8443);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("y", DecisionReason.ApprovedByUser)]
    [InlineData("  YES ", DecisionReason.ApprovedByUser)]
    [InlineData("n", DecisionReason.DeniedByUser)]
    [InlineData("No", DecisionReason.DeniedByUser)]
    [InlineData("", DecisionReason.DeniedByUser)]
    public async Task An_answer_decides_and_only_a_yes_is_remembered(string answer, DecisionReason expected)
    {
        var output = new StringWriter();
        var prompt = new ConsoleCertificatePrompt(new StringReader(answer + "\n"), output);
        var approvals = new InMemoryApprovalStore();
        CertificateDecisionEngine engine = Engine(prompt, approvals);

        CertificateDecision decision = await engine.DecideAsync(TestPki.Der(SelfSigned.Value), Server, Ct);

        Assert.Equal(expected, decision.Reason);
        Assert.Equal(expected == DecisionReason.ApprovedByUser ? 1 : 0, approvals.List().Count);
        Assert.Contains(expected == DecisionReason.ApprovedByUser ? "Allowed: connecting." : "Denied: not connecting.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_question_shows_what_a_person_needs_to_decide()
    {
        var output = new StringWriter();
        var prompt = new ConsoleCertificatePrompt(new StringReader("n\n"), output);

        await Engine(prompt).DecideAsync(TestPki.Der(SelfSigned.Value), Server, Ct);

        string text = output.ToString();
        X509Certificate2 certificate = SelfSigned.Value;
        string sha256 = string.Join(':', Convert.ToHexString(SHA256.HashData(certificate.RawData)).Chunk(2).Select(pair => new string(pair)));
        string pin = "sha256//" + Convert.ToBase64String(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        Assert.Contains($"The certificate of {Server} has problems:", text, StringComparison.Ordinal);
        Assert.Contains("  - The certificate was issued by an authority that is not in the in-memory trust store.", text, StringComparison.Ordinal);
        Assert.Contains("Subject:     CN=EMS Console Test", text, StringComparison.Ordinal);
        Assert.Contains("Issuer:      CN=EMS Console Test", text, StringComparison.Ordinal);
        Assert.Contains("Valid from:  2025-01-01 00:00:00Z", text, StringComparison.Ordinal);
        Assert.Contains("Valid until: 2035-01-01 00:00:00Z", text, StringComparison.Ordinal);
        Assert.Contains($"SHA-256:     {sha256}", text, StringComparison.Ordinal);
        Assert.Contains($"Public key:  {pin}", text, StringComparison.Ordinal);
        Assert.Contains("You have 1 minute 30 seconds to answer; without an answer the connection is refused.", text, StringComparison.Ordinal);
        Assert.Contains("Connect anyway, and remember this approval for this server? [y/N] ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_end_of_the_input_denies()
    {
        var output = new StringWriter();
        var prompt = new ConsoleCertificatePrompt(new StringReader(string.Empty), output);

        CertificateDecision decision = await Engine(prompt).DecideAsync(TestPki.Der(SelfSigned.Value), Server, Ct);

        Assert.Equal(DecisionReason.DeniedByUser, decision.Reason);
        Assert.Contains("No answer (end of input): not connecting.", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_unclear_answers_deny_and_the_next_line_is_left_unread()
    {
        var output = new StringWriter();
        var input = new StringReader("maybe\nok\nsure\ny\n");
        var prompt = new ConsoleCertificatePrompt(input, output);

        CertificateDecision decision = await Engine(prompt).DecideAsync(TestPki.Der(SelfSigned.Value), Server, Ct);

        Assert.Equal(DecisionReason.DeniedByUser, decision.Reason);
        Assert.Equal(2, CountOf(output.ToString(), "Please answer y (yes) or n (no)."));
        Assert.Contains("No clear answer: not connecting.", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("y", input.ReadLine());
    }

    [Fact]
    public async Task Cancellation_returns_at_once_while_the_console_read_blocks_and_the_next_question_gets_the_next_line()
    {
        using var pipe = new ConsolePipe();
        using var output = new WatchedWriter();
        var prompt = new ConsoleCertificatePrompt(pipe.Reader, output);

        await AskAndWithdrawAsync(prompt, output);
        Assert.Contains("The question was withdrawn", output.Text, StringComparison.Ordinal);

        Task<PromptAnswer> second = prompt.AskAsync(Request(), Ct).AsTask();
        await output.WaitForAsync("[y/N] ", 2);
        pipe.Type("y");

        Assert.Equal(PromptAnswer.Allow, await second.WaitAsync(Bound, Ct));
        Assert.Equal(0, CountOf(output.Text, "ignored"));
    }

    [Fact]
    public async Task A_line_typed_after_the_question_was_withdrawn_answers_nothing()
    {
        using var pipe = new ConsolePipe();
        using var output = new WatchedWriter();
        var prompt = new ConsoleCertificatePrompt(pipe.Reader, output);
        await AskAndWithdrawAsync(prompt, output);

        pipe.Type("y");
        await output.WaitForAsync("(A line typed while no question was open was ignored.)", 1);
        Task<PromptAnswer> second = prompt.AskAsync(Request(), Ct).AsTask();
        await output.WaitForAsync("[y/N] ", 2);
        pipe.Type("n");

        Assert.Equal(PromptAnswer.Deny, await second.WaitAsync(Bound, Ct));
    }

    [Fact]
    public async Task The_engines_prompt_timeout_withdraws_the_question_and_refuses()
    {
        using var pipe = new ConsolePipe();
        using var output = new WatchedWriter();
        var time = new FakeTimeProvider(TestPki.Now);
        CertificateDecisionEngine engine = Engine(new ConsoleCertificatePrompt(pipe.Reader, output), time: time);

        Task<CertificateDecision> decision = engine.DecideAsync(TestPki.Der(SelfSigned.Value), Server, Ct).AsTask();
        await output.WaitForAsync("[y/N] ", 1);
        time.Advance(TimeSpan.FromSeconds(90));

        Assert.Equal(DecisionReason.PromptTimedOut, (await decision.WaitAsync(Bound, Ct)).Reason);
        await output.WaitForAsync("The question was withdrawn", 1);
    }

    [Fact]
    public async Task Questions_for_two_servers_at_once_are_asked_one_after_the_other()
    {
        using var pipe = new ConsolePipe();
        using var output = new WatchedWriter();
        CertificateDecisionEngine engine = Engine(new ConsoleCertificatePrompt(pipe.Reader, output));
        ServerIdentity other = ServerIdentity.Create(HandshakePki.Host, 9443);

        Task<CertificateDecision> first = engine.DecideAsync(TestPki.Der(SelfSigned.Value), Server, Ct).AsTask();
        await output.WaitForAsync("[y/N] ", 1);
        Task<CertificateDecision> second = engine.DecideAsync(TestPki.Der(SelfSigned.Value), other, Ct).AsTask();
        pipe.Type("y");
        await output.WaitForAsync("[y/N] ", 2);
        pipe.Type("n");

        CertificateDecision[] decisions = await Task.WhenAll(first, second).WaitAsync(Bound, Ct);
        Assert.Equal(1, CountOf(output.Text, "Allowed: connecting."));
        Assert.Equal(1, CountOf(output.Text, "Denied: not connecting."));
        Assert.Equal(1, decisions.Count(d => d.Reason == DecisionReason.ApprovedByUser));
        Assert.Equal(1, decisions.Count(d => d.Reason == DecisionReason.DeniedByUser));
    }

    [Fact]
    public async Task Text_from_the_certificate_cannot_send_control_characters_to_the_terminal()
    {
        var output = new StringWriter();
        var summary = new CertificateSummary("CN=evil\u001b[2J", "CN=issuer\u202e", "01", TestPki.DefaultNotBefore, TestPki.DefaultNotAfter, Reports.Leaf.Sha256Fingerprint, ["evil\u0007.example.test"], []);
        var request = new CertificatePromptRequest("test", Server, summary, Reports.Verdict(CertificateProblemKinds.NameMismatch));

        Assert.Equal(PromptAnswer.Deny, await new ConsoleCertificatePrompt(new StringReader("n\n"), output).AskAsync(request, Ct));

        string text = output.ToString();
        Assert.DoesNotContain('\u001b', text);
        Assert.DoesNotContain('\u202e', text);
        Assert.DoesNotContain('\u0007', text);
        Assert.Contains("\\u001B[2J", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_a_real_handshake_a_yes_connects_and_the_next_connection_uses_the_approval()
    {
        await using var server = LoopbackTlsServer.Start(SelfSigned.Value);
        var output = new StringWriter();
        var approvals = new InMemoryApprovalStore();
        var policy = new HandshakePolicy(Engine(new ConsoleCertificatePrompt(new StringReader("yes\n"), output), approvals));
        var identity = ServerIdentity.Create(HandshakePki.Host, server.Port);

        ClientResult first = await TlsClient.ConnectAsync(policy, identity, server.Port);
        ClientResult second = await TlsClient.ConnectAsync(policy, identity, server.Port);

        Assert.Equal(TlsClient.Message, first.Echo);
        Assert.Equal(DecisionReason.ApprovedByUser, first.Decision!.Reason);
        Assert.Equal(DecisionReason.RememberedApproval, second.Decision!.Reason);
        Assert.Equal(1, CountOf(output.ToString(), "[y/N]"));
    }

    [Theory]
    [InlineData(120, "2 minutes")]
    [InlineData(90, "1 minute 30 seconds")]
    [InlineData(1, "1 second")]
    [InlineData(3600 + 120, "1 hour 2 minutes")]
    public void Durations_read_as_words(int seconds, string expected) =>
        Assert.Equal(expected, ConsoleCertificatePrompt.Duration(TimeSpan.FromSeconds(seconds)));

    private static CertificateDecisionEngine Engine(ICertificatePrompt prompt, ApprovalStore? approvals = null, FakeTimeProvider? time = null) =>
        new(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }, time ?? new FakeTimeProvider(TestPki.Now)),
            new CertificateDecisionEngineOptions
            {
                ProfileName = "console",
                InvalidCertificateAction = InvalidCertificateAction.Warn,
                Approvals = approvals ?? new InMemoryApprovalStore(),
                Prompt = prompt,
                PromptTimeout = TimeSpan.FromSeconds(90),
            });

    /// <summary>Asks, waits for the question, withdraws it: the prompt must give up at once although the read blocks.</summary>
    private static async Task AskAndWithdrawAsync(ConsoleCertificatePrompt prompt, WatchedWriter output)
    {
        using var withdraw = new CancellationTokenSource();
        Task<PromptAnswer> asked = prompt.AskAsync(Request(), withdraw.Token).AsTask();
        await output.WaitForAsync("[y/N] ", 1);
        withdraw.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => asked.WaitAsync(Bound, Ct));
    }

    private static CertificatePromptRequest Request() =>
        new("console", Server, Reports.Leaf, Reports.Verdict(CertificateProblemKinds.UntrustedRoot));

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>A real OS pipe, so that a console read blocks until a line is typed, as on a terminal.</summary>
    private sealed class ConsolePipe : IDisposable
    {
        private readonly AnonymousPipeServerStream _server = new(PipeDirection.Out);
        private readonly AnonymousPipeClientStream _client;
        private readonly StreamWriter _keyboard;

        public ConsolePipe()
        {
            _client = new AnonymousPipeClientStream(PipeDirection.In, _server.ClientSafePipeHandle);
            Reader = new StreamReader(_client, Encoding.UTF8);
            _keyboard = new StreamWriter(_server, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        }

        public TextReader Reader { get; }

        public void Type(string line) => _keyboard.WriteLine(line);

        public void Dispose()
        {
            // Closing the writing end ends the input: a read still pending sees the end and finishes.
            _keyboard.Dispose();
            _server.Dispose();
            _client.Dispose();
        }
    }

    /// <summary>A text writer that lets a test wait, at most 30 seconds, until some text has been written a number of times.</summary>
    private sealed class WatchedWriter : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly SemaphoreSlim _written = new(0);

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_text)
                {
                    return _text.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }

            _written.Release();
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }

            _written.Release();
        }

        public async Task WaitForAsync(string part, int times)
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            limit.CancelAfter(Bound);
            while (CountOf(Text, part) < times)
            {
                Assert.True(await WaitAsync(limit.Token), $"'{part}' was not written {times} time(s) within {Bound.TotalSeconds} s:\n{Text}");
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _written.Dispose();
            }

            base.Dispose(disposing);
        }

        private async Task<bool> WaitAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _written.WaitAsync(cancellationToken);
                return true;
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
                return false;
            }
        }
    }
}
