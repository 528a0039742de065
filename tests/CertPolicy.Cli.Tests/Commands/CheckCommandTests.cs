using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Commands;

public sealed class CheckCommandTests : IClassFixture<CheckCommandTests.Chain>
{
    private readonly Chain _chain;

    public CheckCommandTests(Chain chain)
    {
        _chain = chain;
    }

    [Fact]
    public async Task A_valid_certificate_exits_0_and_every_action_connects_silently()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Error);
        Assert.Contains("Modern verdict: VALID", result.Output, StringComparison.Ordinal);
        Assert.Equal(3, CountOccurrences(result.Output, "connects silently"));
        Assert.Contains(_chain.Leaf.Subject, result.Output, StringComparison.Ordinal);
        Assert.Contains("  SHA-256      " + _chain.LeafSha256 + "\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("2 certificates sent", result.Output, StringComparison.Ordinal);
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task The_intermediates_the_server_sends_are_used_to_build_the_path()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] path = [.. json.RootElement.GetProperty("path").EnumerateArray().Select(e => e.GetProperty("subject").GetString()!)];
        Assert.Equal(3, path.Length);
        Assert.Contains("Intermediate", path[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_connected_to_is_the_identity_when_no_server_name_is_given()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        // The leaf names 127.0.0.1 as an IP address, so connecting to it by address is valid.
        CliResult result = await CliRun.RunAsync("check", server.Address, "--trust", _chain.RootPem, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(server.Address, json.RootElement.GetProperty("identity").GetString());
    }

    [Fact]
    public async Task A_wrong_name_exits_3_and_prints_the_name_mismatch_in_words()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", "other.example.test", "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal(string.Empty, result.Error);
        Assert.Contains("Modern verdict: NOT VALID (1 problem)", result.Output, StringComparison.Ordinal);
        Assert.Contains("NameMismatch", result.Output, StringComparison.Ordinal);
        Assert.Contains("Judged for   other.example.test:" + server.Port, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trust_file_holding_another_key_under_the_same_root_name_exits_3_with_the_bad_signature_and_the_actions()
    {
        using var otherChain = new TestChain();
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", otherChain.RootPem);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.True(result.Output.Contains("(BadSignature; certificate 1", StringComparison.Ordinal), result.ToString());
        Assert.Contains("Allow   connects (allowed by policy)", result.Output, StringComparison.Ordinal);
        Assert.Contains("Warn    asks the user", result.Output, StringComparison.Ordinal);
        Assert.Contains("Deny    refuses", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_is_one_object_with_the_documented_fields()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", "other.example.test", "--trust", _chain.RootPem, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement root = json.RootElement;
        Assert.False(root.GetProperty("modern").GetProperty("valid").GetBoolean());
        JsonElement problem = Assert.Single(root.GetProperty("modern").GetProperty("problems").EnumerateArray());
        Assert.Equal("NameMismatch", problem.GetProperty("kind").GetString());
        Assert.Equal(0, problem.GetProperty("position").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("legacy").GetProperty("valid").ValueKind);
        Assert.Equal(_chain.Leaf.Subject, root.GetProperty("certificate").GetProperty("subject").GetString());
        Assert.Equal(_chain.LeafSha256, root.GetProperty("certificate").GetProperty("sha256").GetString());
        Assert.Equal(new DateTimeOffset(_chain.Leaf.NotAfter.ToUniversalTime()), root.GetProperty("certificate").GetProperty("notAfter").GetDateTimeOffset());
        Assert.Equal("modern", root.GetProperty("mode").GetString());
        Assert.Equal($"other.example.test:{server.Port}", root.GetProperty("identity").GetString());
        Assert.Equal("refuse", root.GetProperty("actions").GetProperty("deny").GetProperty("outcome").GetString());
        Assert.Equal("connect", root.GetProperty("actions").GetProperty("allow").GetProperty("outcome").GetString());
        Assert.Equal("ask", root.GetProperty("actions").GetProperty("warn").GetProperty("outcome").GetString());
        Assert.Equal(3, root.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Without_an_expected_subject_the_legacy_verdict_is_not_checked()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem);

        Assert.Contains("Legacy verdict: not checked", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_legacy_verdict_is_shown_beside_the_modern_one_and_does_not_decide_the_exit_code()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        // Modern: valid. Legacy agents expecting another subject would refuse it.
        CliResult result = await CliRun.RunAsync(
            ["check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--expected-subject", "Legacy EMS", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement legacy = json.RootElement.GetProperty("legacy");
        Assert.False(legacy.GetProperty("valid").GetBoolean());
        Assert.Equal("Legacy EMS", legacy.GetProperty("expectedSubject").GetString());
        Assert.Equal("SubjectMismatch", Assert.Single(legacy.GetProperty("problems").EnumerateArray()).GetProperty("kind").GetString());
        Assert.True(json.RootElement.GetProperty("modern").GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task A_matching_expected_subject_gives_a_valid_legacy_verdict()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync(
            ["check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--expected-subject", TestChain.ServerName]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"Legacy verdict (subject common name '{TestChain.ServerName}'): VALID", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_that_expires_within_30_days_gets_a_warning()
    {
        using var chain = new TestChain(leafNotAfter: TestPki.Now.AddDays(12));
        await using LoopbackTlsServer server = chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", chain.RootPem);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Warning: The server's certificate expires in 12 days", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_with_more_than_30_days_left_gets_no_warning()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Empty(json.RootElement.GetProperty("warnings").EnumerateArray());
    }

    [Fact]
    public async Task An_unreachable_port_exits_1_with_one_line_on_standard_error()
    {
        int port = FreePort();

        CliResult result = await CliRun.RunAsync("check", $"127.0.0.1:{port}", "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(string.Empty, result.Output);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"certpolicy: cannot connect to 127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_does_not_speak_TLS_exits_1_saying_so()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.StartWithoutTls(LoopbackApplication.PlainText);

        CliResult result = await CliRun.RunAsync("check", server.Address, "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith($"certpolicy: the server at {server.Address} did not answer with TLS", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_and_exits_1()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.StartWithoutTls(LoopbackApplication.Silent);

        CliResult result = await CliRun.RunAsync("check", server.Address, "--trust", _chain.RootPem, "--timeout", "1");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"certpolicy: TLS handshake with {server.Address} failed: no answer within 1 second.", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task A_bad_trust_file_exits_1_before_connecting()
    {
        using var folder = new TempFolder();
        string bad = folder.WriteText("bad.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n");
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--trust", bad);

        Assert.True(result.ExitCode == 1, result.ToString());
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("certpolicy: the command line's settings", line, StringComparison.Ordinal);
        Assert.Contains("setting TrustStore", line, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Theory]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("127.0.0.1:https")]
    [InlineData("")]
    public async Task An_invalid_target_exits_1_with_one_line(string target)
    {
        CliResult result = await CliRun.RunAsync("check", target, "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("certpolicy: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_redirected_to_a_file_is_plain_text_without_escape_sequences()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", "other.example.test", "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.DoesNotContain('\u001b', result.Output);
        Assert.Contains("What agents would do", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminal_gets_colour_unless_NO_COLOR_is_set()
    {
        await using LoopbackTlsServer server = _chain.StartServer();
        string[] args = ["check", server.Address, "--server-name", "other.example.test", "--trust", _chain.RootPem];

        CliResult coloured = await CliRun.RunAsync(args, terminal: true);
        CliResult noColour = await CliRun.RunAsync(args, terminal: true, environment: new Dictionary<string, string> { ["NO_COLOR"] = "1" });

        Assert.True(coloured.ExitCode == 3, coloured.ToString());
        Assert.Contains("\u001b[", coloured.Output, StringComparison.Ordinal);
        Assert.Contains("NameMismatch", coloured.Output, StringComparison.Ordinal);
        Assert.True(noColour.ExitCode == 3, noColour.ToString());
        Assert.DoesNotContain('\u001b', noColour.Output);
    }

    [Fact]
    public async Task Json_output_on_a_terminal_is_still_plain_json()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync(["check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--json"], terminal: true);

        Assert.DoesNotContain('\u001b', result.Output);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.True(json.RootElement.GetProperty("modern").GetProperty("valid").GetBoolean());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>One chain for the tests of this class.</summary>
    public sealed class Chain : IDisposable
    {
        private readonly TestChain _chain = new();

        public string RootPem => _chain.RootPem;

        public System.Security.Cryptography.X509Certificates.X509Certificate2 Leaf => _chain.Leaf;

        public string LeafSha256 => _chain.LeafSha256;

        public LoopbackTlsServer StartServer() => _chain.StartServer();

        public void Dispose() => _chain.Dispose();
    }
}
