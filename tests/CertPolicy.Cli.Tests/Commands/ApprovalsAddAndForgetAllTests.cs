using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using CertPolicy.Cli.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Cli.Tests.Commands;

/// <summary>
/// <c>approvals add</c> (for install scripts) and <c>approvals forget --all</c>, on real approvals files in a temporary
/// folder, and once with the library's engine connecting over a real TLS 1.3 handshake on 127.0.0.1.
/// </summary>
public sealed class ApprovalsAddAndForgetAllTests : IDisposable
{
    private const string OtherName = "other.example.test";

    private readonly TestChain _chain = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _chain.Dispose();
        _folder.Dispose();
    }

    private string File => _folder.File("approvals.json");

    [Fact]
    public async Task Add_by_fingerprint_writes_an_approval_of_exactly_the_problems_given_and_when()
    {
        CliResult result = await CliRun.RunAsync(
            "approvals", "add", "ems.example.test:8443", "--sha256", _chain.LeafSha256.ToLowerInvariant(), "--problems", "untrustedroot, NameMismatch", "--approvals", File);

        Assert.True(result.ExitCode == 0, result.ToString());
        CertificateApproval approval = Assert.Single(new FileApprovalStore(File).List());
        Assert.Equal(ServerIdentity.Create("ems.example.test", 8443), approval.Server);
        Assert.Equal(_chain.LeafFingerprint, approval.Fingerprint);
        Assert.Equal(CertificateProblemKinds.UntrustedRoot | CertificateProblemKinds.NameMismatch, approval.AcceptedProblems);
        Assert.Equal(TestPki.Now, approval.ApprovedAt);
        Assert.Contains("Added an approval for ems.example.test:8443", result.Output, StringComparison.Ordinal);
        Assert.Contains(_chain.LeafSha256, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_from_a_PEM_file_computes_the_problems_as_check_judges_them()
    {
        CliResult result = await CliRun.RunAsync(
            "approvals", "add", $"{OtherName}:8443", "--from-pem", _chain.ChainPem, "--trust", _chain.RootPem, "--approvals", File);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Error);
        CertificateApproval approval = Assert.Single(new FileApprovalStore(File).List());
        Assert.Equal(CertificateProblemKinds.NameMismatch, approval.AcceptedProblems);
        Assert.Equal(_chain.LeafFingerprint, approval.Fingerprint);
        Assert.Equal(_chain.Leaf.Subject, approval.Subject);
        Assert.Contains("problems  NameMismatch", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_from_a_PEM_file_with_problems_given_uses_them_and_warns_that_agents_would_still_ask()
    {
        CliResult result = await CliRun.RunAsync(
            "approvals", "add", $"{OtherName}:8443", "--from-pem", _chain.ChainPem, "--trust", _chain.RootPem, "--problems", "Expired", "--approvals", File);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(CertificateProblemKinds.Expired, Assert.Single(new FileApprovalStore(File).List()).AcceptedProblems);
        Assert.Contains("still would not connect silently", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_with_json_prints_one_object_and_a_second_add_replaces_the_first()
    {
        string[] args = ["approvals", "add", $"{OtherName}:8443", "--from-pem", _chain.ChainPem, "--trust", _chain.RootPem, "--approvals", File, "--json"];

        CliResult first = await CliRun.RunAsync(args);
        CliResult second = await CliRun.RunAsync(args);

        Assert.True(first.ExitCode == 0, first.ToString());
        using JsonDocument json = JsonDocument.Parse(first.Output);
        JsonElement root = json.RootElement;
        Assert.Equal("added", root.GetProperty("result").GetString());
        Assert.Equal($"{OtherName}:8443", root.GetProperty("server").GetString());
        Assert.Equal(_chain.LeafSha256, root.GetProperty("sha256").GetString());
        Assert.Equal("NameMismatch", Assert.Single(root.GetProperty("problems").EnumerateArray()).GetString());
        Assert.Equal("certificate", root.GetProperty("scope").GetString());
        Assert.Equal(File, root.GetProperty("approvalsFile").GetString());
        Assert.Equal(TestPki.Now, root.GetProperty("approvedAt").GetDateTimeOffset());
        Assert.Equal("connect", root.GetProperty("agentsUnderWarn").GetString());
        using JsonDocument again = JsonDocument.Parse(second.Output);
        Assert.Equal("replaced", again.RootElement.GetProperty("result").GetString());
        Assert.Single(new FileApprovalStore(File).List());
    }

    [Fact]
    public async Task A_valid_certificate_needs_no_approval_and_nothing_is_written()
    {
        CliResult result = await CliRun.RunAsync(
            "approvals", "add", $"{TestChain.ServerName}:8443", "--from-pem", _chain.ChainPem, "--trust", _chain.RootPem, "--approvals", File, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal("not-needed", json.RootElement.GetProperty("result").GetString());
        Assert.False(System.IO.File.Exists(File));
    }

    [Fact]
    public async Task An_approval_added_for_install_lets_the_agent_connect_over_TLS_without_asking()
    {
        await using LoopbackTlsServer server = _chain.StartServer();
        var identity = ServerIdentity.Create(OtherName, server.Port);
        CliResult added = await CliRun.RunAsync(
            "approvals", "add", identity.ToString(), "--from-pem", _chain.ChainPem, "--trust", _chain.RootPem, "--approvals", File);
        Assert.True(added.ExitCode == 0, added.ToString());

        // The agent: trusts the same root, warns, has no one to ask (so only a remembered approval can connect).
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromPemFile(_chain.RootPem) }, new FakeTimeProvider(TestPki.Now));
        var policy = new HandshakePolicy(new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions
        {
            InvalidCertificateAction = InvalidCertificateAction.Warn,
            Approvals = new FileApprovalStore(File),
        }));
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(30));
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port, limit.Token);
        await using var tls = new SslStream(tcp.GetStream());

        CertificateDecision decision = await policy.AuthenticateAsClientAsync(tls, identity, new SslClientAuthenticationOptions { EnabledSslProtocols = SslProtocols.Tls13 }, limit.Token);

        Assert.Equal(DecisionReason.RememberedApproval, decision.Reason);
        Assert.True(decision.ShouldConnect);
        Assert.Equal(CertificateProblemKinds.NameMismatch, decision.Report.Verdict.Kinds);
    }

    [Theory]
    [InlineData("sha256-without-problems", "--sha256 needs --problems")]
    [InlineData("bad-hex", "is not a SHA-256 fingerprint")]
    [InlineData("unknown-problem", "'Scary' is not a problem kind")]
    [InlineData("no-problem", "names no problem")]
    [InlineData("pem-without-certificate", "no certificate")]
    [InlineData("bad-scope", "--scope must be certificate, key or issuer")]
    [InlineData("key-scope-by-fingerprint", "needs the certificate itself (--from-pem FILE)")]
    [InlineData("issuer-scope-without-issuer", "the key that signed the certificate cannot be established")]
    [InlineData("bad-server", "is not a valid HOST[:PORT]")]
    public async Task Bad_input_is_refused_with_one_clear_line_and_nothing_is_written(string kind, string message)
    {
        string keyOnly = _folder.WriteText("key-only.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        string[] certificate = ["--sha256", _chain.LeafSha256];
        string[] pem = ["--from-pem", _chain.ChainPem, "--trust", _chain.RootPem];
        string[] args = kind switch
        {
            "sha256-without-problems" => certificate,
            "bad-hex" => ["--sha256", "12:34:zz", "--problems", "UntrustedRoot"],
            "unknown-problem" => [.. certificate, "--problems", "UntrustedRoot,Scary"],
            "no-problem" => [.. certificate, "--problems", " , "],
            "pem-without-certificate" => ["--from-pem", keyOnly],
            "bad-scope" => [.. pem, "--scope", "everything"],
            "key-scope-by-fingerprint" => [.. certificate, "--problems", "UntrustedRoot", "--scope", "key"],
            "issuer-scope-without-issuer" => ["--from-pem", _folder.WriteText("leaf-only.pem", TestPki.ToPem(_chain.Leaf)), "--trust", _chain.RootPem, "--scope", "issuer"],
            _ => [.. certificate, "--problems", "UntrustedRoot"],
        };
        string server = kind == "bad-server" ? "ems.example.test:99999" : $"{OtherName}:8443";

        CliResult result = await CliRun.RunAsync(["approvals", "add", server, .. args, "--approvals", File]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(string.Empty, result.Output);
        Assert.Contains(message, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(File));
    }

    [Theory]
    [InlineData("KEY", ApprovalScope.PublicKey)]
    [InlineData("issuer", ApprovalScope.Issuer)]
    public async Task Add_from_a_PEM_file_under_a_wider_scope_records_the_key_and_covers_a_renewal(string name, ApprovalScope scope)
    {
        CliResult result = await CliRun.RunAsync(
            "approvals", "add", $"{OtherName}:8443", "--from-pem", _chain.ChainPem, "--trust", _chain.RootPem, "--scope", name, "--approvals", File);

        Assert.True(result.ExitCode == 0, result.ToString());
        CertificateApproval approval = Assert.Single(new FileApprovalStore(File).List());
        Assert.Equal(scope, approval.Scope);
        Assert.Equal(Environment.UserName, approval.ApprovedBy);
        using System.Security.Cryptography.X509Certificates.X509Certificate2 renewal = TestPki.Issue(_chain.Intermediate, TestPki.LeafSpec(TestChain.ServerName) with { KeyOf = _chain.Leaf });
        var agent = new CertificateDecisionEngine(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([_chain.Root]) }),
            new CertificateDecisionEngineOptions { Approvals = new FileApprovalStore(File), ApprovalScope = scope });
        CertificateDecision decision = await agent.DecideAsync(TestPki.Der(renewal, _chain.Intermediate), ServerIdentity.Create(OtherName, 8443), TestContext.Current.CancellationToken);
        Assert.True(decision.Reason == DecisionReason.RememberedApproval, $"{decision.Reason}: {decision.Report.Verdict.Kinds}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_certificate_must_be_given_exactly_once(bool both)
    {
        string[] args = both ? ["--sha256", _chain.LeafSha256, "--from-pem", _chain.ChainPem] : [];

        CliResult result = await CliRun.RunAsync(["approvals", "add", $"{OtherName}:8443", .. args, "--approvals", File]);

        Assert.True(result.ExitCode == 1, result.ToString());
        string line = Assert.Single(result.ErrorLines);
        Assert.Contains("either --sha256 FINGERPRINT (with --problems) or --from-pem FILE", line, StringComparison.Ordinal);
        Assert.EndsWith("See 'certpolicy approvals add --help'.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_all_forgets_every_approval_of_every_server()
    {
        using var otherChain = new TestChain();
        var store = new FileApprovalStore(File);
        await store.SaveAsync(new CertificateApproval(ServerIdentity.Create("ems.example.test", 8443), _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, TestPki.Now), TestContext.Current.CancellationToken);
        await store.SaveAsync(new CertificateApproval(ServerIdentity.Create("ems.example.test", 8443), otherChain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, TestPki.Now), TestContext.Current.CancellationToken);
        await store.SaveAsync(new CertificateApproval(ServerIdentity.Create(OtherName), _chain.LeafFingerprint, CertificateProblemKinds.NameMismatch, TestPki.Now), TestContext.Current.CancellationToken);

        CliResult result = await CliRun.RunAsync("approvals", "forget", "--all", "--approvals", File);
        CliResult again = await CliRun.RunAsync("approvals", "forget", "--all", "--approvals", File);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Forgot 3 approvals (every server) in {File}.", result.Output, StringComparison.Ordinal);
        Assert.Empty(new FileApprovalStore(File).List());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("nothing to forget", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_all_of_a_file_that_does_not_exist_creates_nothing()
    {
        CliResult result = await CliRun.RunAsync("approvals", "forget", "--all", "--approvals", File);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("does not exist: nothing to forget", result.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Path));
    }

    [Theory]
    [InlineData(new[] { "approvals", "forget", "--approvals", "approvals.json" }, "or give --all")]
    [InlineData(new[] { "approvals", "forget", "ems.example.test", "--all", "--approvals", "approvals.json" }, "give it without a server or --sha256")]
    [InlineData(new[] { "approvals", "forget", "--all", "--sha256", "AB", "--approvals", "approvals.json" }, "give it without a server or --sha256")]
    public async Task Forget_needs_a_server_or_all_and_not_both(string[] args, string message)
    {
        CliResult result = await CliRun.RunAsync(args);

        Assert.True(result.ExitCode == 1, result.ToString());
        string line = Assert.Single(result.ErrorLines);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.EndsWith("See 'certpolicy approvals forget --help'.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_of_add_lists_its_options_and_examples()
    {
        CliResult result = await CliRun.RunAsync("approvals", "add", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (string option in new[] { "--sha256", "--from-pem", "--scope", "--problems", "--approvals", "--profile", "--trust", "--json" })
        {
            Assert.Contains(option, result.Output, StringComparison.Ordinal);
        }

        string examples = result.Output[result.Output.IndexOf("Examples:", StringComparison.Ordinal)..];
        Assert.Contains("certpolicy approvals add ems.example.com:8443 --from-pem server.pem", examples, StringComparison.Ordinal);
        Assert.Contains("--sha256 3FA1...9C --problems UntrustedRoot", examples, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_of_forget_shows_all_and_its_example()
    {
        CliResult result = await CliRun.RunAsync("approvals", "forget", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("--all", result.Output, StringComparison.Ordinal);
        Assert.Contains("certpolicy approvals forget --all --approvals", result.Output, StringComparison.Ordinal);
    }
}
