using System.Text.Json;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Commands;

/// <summary><c>certpolicy approvals pending|approve|deny</c> over files a headless agent's engine really wrote.</summary>
public sealed class PendingCommandsTests : IDisposable
{
    private readonly TestChain _chain = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _chain.Dispose();
        _folder.Dispose();
    }

    private string ApprovalsFile => _folder.File("approvals.json");

    private static ServerIdentity Server => ServerIdentity.Create(TestChain.ServerName, 8443);

    [Fact]
    public async Task Pending_lists_the_question_a_headless_agent_recorded()
    {
        await AskHeadlessAsync(times: 2);

        CliResult text = await CliRun.RunAsync("approvals", "pending", "--approvals", ApprovalsFile);
        CliResult json = await CliRun.RunAsync("approvals", "pending", "--approvals", ApprovalsFile, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("1 pending question", text.Output, StringComparison.Ordinal);
        Assert.Contains(_chain.LeafSha256, text.Output, StringComparison.Ordinal);
        Assert.Contains("2 attempt(s)", text.Output, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 0, json.ToString());
        using JsonDocument document = JsonDocument.Parse(json.Output);
        JsonElement question = Assert.Single(document.RootElement.GetProperty("questions").EnumerateArray());
        Assert.Equal($"{TestChain.ServerName}:8443", question.GetProperty("server").GetString());
        Assert.Equal(_chain.LeafSha256, question.GetProperty("sha256").GetString());
        Assert.Equal(64, question.GetProperty("spkiSha256").GetString()!.Length);
        Assert.Equal(2, question.GetProperty("attempts").GetInt32());
        Assert.Contains("UntrustedRoot", question.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task Approve_remembers_exactly_the_question_and_the_agent_then_connects()
    {
        CertificateDecisionEngine engine = await AskHeadlessAsync(times: 1);

        CliResult result = await CliRun.RunAsync("approvals", "approve", $"{TestChain.ServerName}:8443", "--sha256", _chain.LeafSha256.ToLowerInvariant(), "--approvals", ApprovalsFile, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument document = JsonDocument.Parse(result.Output);
        Assert.Equal("approved", document.RootElement.GetProperty("result").GetString());
        CertificateApproval approval = Assert.Single(new FileApprovalStore(ApprovalsFile).List());
        Assert.Equal(_chain.LeafFingerprint, approval.Fingerprint);
        Assert.Empty(new PendingQuestionStore(PendingQuestionStore.FilePathFor(ApprovalsFile)).List());
        CertificateDecision decision = await engine.DecideAsync(TestPki.Der(_chain.Leaf, _chain.Intermediate, _chain.Root), Server, TestContext.Current.CancellationToken);
        Assert.True(decision.Reason == DecisionReason.RememberedApproval, $"{decision.Reason}: {decision.Report.Verdict.Kinds} vs approved {approval.AcceptedProblems} for {approval.Server}");
    }

    [Fact]
    public async Task Approve_of_a_certificate_nobody_asked_about_exits_1_with_a_clear_error()
    {
        await AskHeadlessAsync(times: 1);
        string never = new string('A', 64);

        CliResult text = await CliRun.RunAsync("approvals", "approve", $"{TestChain.ServerName}:8443", "--sha256", never, "--approvals", ApprovalsFile);
        CliResult json = await CliRun.RunAsync("approvals", "approve", $"{TestChain.ServerName}:8443", "--sha256", never, "--approvals", ApprovalsFile, "--json");

        Assert.Equal(1, text.ExitCode);
        Assert.Contains("No pending question exists", Assert.Single(text.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(1, json.ExitCode);
        using JsonDocument document = JsonDocument.Parse(json.Output);
        Assert.Equal("not-pending", document.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(new FileApprovalStore(ApprovalsFile).List());
    }

    [Fact]
    public async Task Deny_removes_the_question_and_remembers_nothing()
    {
        await AskHeadlessAsync(times: 1);

        CliResult denied = await CliRun.RunAsync("approvals", "deny", $"{TestChain.ServerName}:8443", "--sha256", _chain.LeafSha256, "--approvals", ApprovalsFile);
        CliResult again = await CliRun.RunAsync("approvals", "deny", $"{TestChain.ServerName}:8443", "--sha256", _chain.LeafSha256, "--approvals", ApprovalsFile, "--json");

        Assert.True(denied.ExitCode == 0, denied.ToString());
        Assert.Contains("Denied", denied.Output, StringComparison.Ordinal);
        Assert.Empty(new PendingQuestionStore(PendingQuestionStore.FilePathFor(ApprovalsFile)).List());
        Assert.Empty(new FileApprovalStore(ApprovalsFile).List());
        Assert.Equal(0, again.ExitCode);
        using JsonDocument document = JsonDocument.Parse(again.Output);
        Assert.Equal("not-pending", document.RootElement.GetProperty("result").GetString());
    }

    [Theory]
    [InlineData("{ \"version\": 1, \"questions\": [ oops", "damaged")]
    [InlineData("{ \"version\": 99, \"questions\": [] }", "version 99")]
    public async Task Pending_is_read_only_a_damaged_file_is_reported_exit_1_and_left_byte_identical(string content, string expected)
    {
        string pendingFile = PendingQuestionStore.FilePathFor(ApprovalsFile);
        byte[] damaged = System.Text.Encoding.UTF8.GetBytes(content);
        await File.WriteAllBytesAsync(pendingFile, damaged, TestContext.Current.CancellationToken);
        string[] before = Directory.GetFileSystemEntries(_folder.Path);

        CliResult text = await CliRun.RunAsync("approvals", "pending", "--approvals", ApprovalsFile);
        CliResult json = await CliRun.RunAsync("approvals", "pending", "--approvals", ApprovalsFile, "--json");

        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains(expected, text.Error, StringComparison.Ordinal);
        Assert.Contains(pendingFile, text.Error, StringComparison.Ordinal);
        Assert.Contains("left as it is", text.Error, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 1, json.ToString());
        using JsonDocument document = JsonDocument.Parse(json.Output);
        Assert.Contains(expected, document.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(pendingFile, TestContext.Current.CancellationToken));
        Assert.Equal(before, Directory.GetFileSystemEntries(_folder.Path));
    }

    [Fact]
    public async Task Pending_without_a_file_lists_nothing_and_creates_nothing()
    {
        CliResult result = await CliRun.RunAsync("approvals", "pending", "--approvals", ApprovalsFile);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No question is waiting", result.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("approve")]
    [InlineData("deny")]
    public async Task Help_shows_examples(string command)
    {
        CliResult result = await CliRun.RunAsync("approvals", command, "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"certpolicy approvals {command}", result.Output, StringComparison.Ordinal);
        Assert.Contains("--json", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key", ApprovalScope.PublicKey)]
    [InlineData("issuer", ApprovalScope.Issuer)]
    public async Task Approve_with_a_scope_records_it_and_an_agent_of_that_scope_connects_to_the_renewal(string name, ApprovalScope scope)
    {
        await AskHeadlessAsync(times: 1);

        CliResult result = await CliRun.RunAsync("approvals", "approve", $"{TestChain.ServerName}:8443", "--sha256", _chain.LeafSha256, "--scope", name, "--approvals", ApprovalsFile);
        CliResult list = await CliRun.RunAsync("approvals", "list", "--approvals", ApprovalsFile, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        CertificateApproval approval = Assert.Single(new FileApprovalStore(ApprovalsFile).List());
        Assert.Equal(scope, approval.Scope);
        Assert.Equal(Environment.UserName, approval.ApprovedBy);
        using JsonDocument document = JsonDocument.Parse(list.Output);
        JsonElement listed = Assert.Single(document.RootElement.GetProperty("approvals").EnumerateArray());
        Assert.Equal(scope == ApprovalScope.PublicKey ? "publicKey" : "issuer", listed.GetProperty("scope").GetString());
        Assert.Equal(Environment.UserName, listed.GetProperty("approvedBy").GetString());

        // The server renews: the same key (any scope covers it) or, for the issuer scope, a new key from the same issuer.
        using System.Security.Cryptography.X509Certificates.X509Certificate2 renewal = scope == ApprovalScope.PublicKey
            ? TestPki.Issue(_chain.Intermediate, TestPki.LeafSpec(TestChain.ServerName) with { KeyOf = _chain.Leaf })
            : TestPki.Issue(_chain.Intermediate, TestPki.LeafSpec(TestChain.ServerName));
        var agent = new CertificateDecisionEngine(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }),
            new CertificateDecisionEngineOptions { Approvals = new FileApprovalStore(ApprovalsFile), ApprovalScope = scope });
        CertificateDecision decision = await agent.DecideAsync(TestPki.Der(renewal, _chain.Intermediate, _chain.Root), Server, TestContext.Current.CancellationToken);
        Assert.True(decision.Reason == DecisionReason.RememberedApproval, $"{decision.Reason}: {decision.Report.Verdict.Kinds}");
    }

    [Theory]
    [InlineData("PublicKey", "connect")]
    [InlineData("Certificate", "ask")]
    public async Task Inspect_judges_a_renewal_by_the_profile_approval_scope(string profileScope, string warnOutcome)
    {
        await AskHeadlessAsync(times: 1);
        CliResult approve = await CliRun.RunAsync("approvals", "approve", $"{TestChain.ServerName}:8443", "--sha256", _chain.LeafSha256, "--scope", "key", "--approvals", ApprovalsFile);
        Assert.True(approve.ExitCode == 0, approve.ToString());
        using System.Security.Cryptography.X509Certificates.X509Certificate2 renewal = TestPki.Issue(_chain.Intermediate, TestPki.LeafSpec(TestChain.ServerName) with { KeyOf = _chain.Leaf });
        string chain = _folder.WriteText("renewal.pem", TestPki.ToPem(renewal, _chain.Intermediate, _chain.Root));
        using System.Security.Cryptography.X509Certificates.X509Certificate2 otherRoot = TestPki.CreateRoot("Nobody's Root");
        string settings = GenerationsAndProfileTests.WriteSettings(_folder, "Agent", new() { ["TrustStore"] = _folder.WriteText("nobody.pem", TestPki.ToPem(otherRoot)), ["ApprovalScope"] = profileScope, ["ApprovalsFile"] = ApprovalsFile });

        CliResult result = await CliRun.RunAsync("inspect", chain, "--server-name", $"{TestChain.ServerName}:8443", "--profile", settings, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.True(warnOutcome == json.RootElement.GetProperty("agents").GetProperty("modern").GetProperty("warn").GetProperty("outcome").GetString(), result.ToString());
    }

    /// <summary>A headless Warn agent (its own root not trusted, no prompt) refused <paramref name="times"/> times.</summary>
    private async Task<CertificateDecisionEngine> AskHeadlessAsync(int times)
    {
        var engine = new CertificateDecisionEngine(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }),
            new CertificateDecisionEngineOptions
            {
                Approvals = new FileApprovalStore(ApprovalsFile),
                PendingQuestions = new PendingQuestionStore(PendingQuestionStore.FilePathFor(ApprovalsFile)),
            });
        for (int i = 0; i < times; i++)
        {
            CertificateDecision decision = await engine.DecideAsync(TestPki.Der(_chain.Leaf, _chain.Intermediate, _chain.Root), Server, TestContext.Current.CancellationToken);
            Assert.Equal(DecisionReason.NoPrompt, decision.Reason);
        }

        return engine;
    }
}
