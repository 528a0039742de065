using System.Security.Cryptography;
using System.Text.Json;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Commands;

public sealed class InspectCommandTests : IDisposable
{
    private readonly TestChain _chain = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _chain.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_valid_chain_file_exits_0_with_the_same_report_as_check()
    {
        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Modern verdict: VALID", result.Output, StringComparison.Ordinal);
        Assert.Contains("(2 certificates)", result.Output, StringComparison.Ordinal);
        Assert.Contains("What agents would do", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_port_in_the_server_name_is_part_of_the_identity()
    {
        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName + ":8443", "--trust", _chain.RootPem, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal(TestChain.ServerName + ":8443", json.RootElement.GetProperty("identity").GetString());
        Assert.Equal("inspect", json.RootElement.GetProperty("command").GetString());
    }

    [Fact]
    public async Task A_chain_without_its_intermediate_exits_3()
    {
        string leafOnly = _folder.WriteText("leaf.pem", TestPki.ToPem(_chain.Leaf));

        CliResult result = await CliRun.RunAsync("inspect", leafOnly, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.False(json.RootElement.GetProperty("modern").GetProperty("valid").GetBoolean());
        Assert.NotEmpty(json.RootElement.GetProperty("modern").GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public async Task An_expired_certificate_exits_3_and_says_so()
    {
        CliResult result = await CliRun.RunAsync(
            ["inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem],
            now: TestPki.DefaultNotAfter.AddDays(1));

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Expired", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_blocks_such_as_a_private_key_are_skipped_and_never_printed()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string keyPem = key.ExportPkcs8PrivateKeyPem();
        string file = _folder.WriteText("with-key.pem", TestPki.ToPem(_chain.Leaf) + keyPem + "\n" + TestPki.ToPem(_chain.Intermediate));

        CliResult result = await CliRun.RunAsync("inspect", file, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("1 other block(s) skipped", result.Output, StringComparison.Ordinal);
        string keyBody = keyPem.Split('\n')[1];
        Assert.DoesNotContain(keyBody, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_exits_1_with_one_line()
    {
        CliResult result = await CliRun.RunAsync("inspect", _folder.File("missing.pem"), "--server-name", TestChain.ServerName);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(string.Empty, result.Output);
        Assert.Contains("does not exist", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad base64", "-----BEGIN CERTIFICATE-----\n@@@@ not base64 @@@@\n-----END CERTIFICATE-----\n", "malformed")]
    [InlineData("missing END", "-----BEGIN CERTIFICATE-----\nMIIB\n", "malformed")]
    [InlineData("stray END", "-----END CERTIFICATE-----\n", "never began")]
    [InlineData("no block", "just some text\n", "no PEM block")]
    [InlineData("not DER", "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n", "not a well-formed X.509 certificate")]
    [InlineData("only a key", "-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQ==\n-----END PRIVATE KEY-----\n", "holds no certificate")]
    [InlineData("trusted certificate", "-----BEGIN TRUSTED CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END TRUSTED CERTIFICATE-----\n", "TRUSTED CERTIFICATE")]
    public async Task A_malformed_PEM_file_exits_1_with_one_line_saying_why(string name, string content, string reason)
    {
        string file = _folder.WriteText(name.Replace(' ', '-') + ".pem", content);

        CliResult result = await CliRun.RunAsync("inspect", file, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(string.Empty, result.Output);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("certpolicy: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_certificate_after_a_good_one_is_named_by_its_position_and_line()
    {
        string file = _folder.WriteText("bad-second.pem", TestPki.ToPem(_chain.Leaf) + "-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n");

        CliResult result = await CliRun.RunAsync("inspect", file, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem);

        Assert.True(result.ExitCode == 1, result.ToString());
        int line = TestPki.ToPem(_chain.Leaf).Count(c => c == '\n') + 1;
        Assert.Contains($"certificate 1 on line {line}", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binary_DER_file_exits_1_with_a_hint_to_convert_it()
    {
        string file = _folder.WriteBytes("leaf.der", _chain.Leaf.RawData);

        CliResult result = await CliRun.RunAsync("inspect", file, "--server-name", TestChain.ServerName);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("openssl x509 -inform der", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_server_name_everything_but_the_name_is_judged()
    {
        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--trust", _chain.RootPem, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("identity").ValueKind);
        Assert.True(json.RootElement.GetProperty("modern").GetProperty("valid").GetBoolean());
        Assert.Contains(json.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("everything but the name", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_invalid_server_name_exits_1()
    {
        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", "not a name");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("certpolicy: --server-name 'not a name' is not a valid NAME[:PORT]", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Certificate_names_with_control_characters_cannot_write_escape_sequences()
    {
        using TestChain chain = new(leafCommonName: "evil\u001b[2Jname");

        CliResult plain = await CliRun.RunAsync("inspect", chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", chain.RootPem);
        CliResult rich = await CliRun.RunAsync(["inspect", chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", chain.RootPem], terminal: true);

        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.DoesNotContain('\u001b', plain.Output);
        Assert.DoesNotContain("\u001b[2J", rich.Output, StringComparison.Ordinal);
    }
}
