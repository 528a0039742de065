using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Commands;

/// <summary>What admins expect of a certificate tool, and output that composes: details, saved chains, order, widths, JSON errors.</summary>
public sealed class AdminOutputTests : IClassFixture<GenerationsAndProfileTests.Fixture>
{
    private readonly TestChain _chain;

    public AdminOutputTests(GenerationsAndProfileTests.Fixture fixture)
    {
        _chain = fixture.Chain;
    }

    [Fact]
    public async Task Check_shows_the_key_usages_tls_version_and_cipher_suite_and_saves_the_presented_chain()
    {
        using var folder = new TempFolder();
        string saved = folder.File("presented.pem");
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--save-chain", saved, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement root = json.RootElement;
        Assert.StartsWith("TLS 1.", root.GetProperty("tls").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("TLS_", root.GetProperty("cipherSuite").GetString(), StringComparison.Ordinal);
        JsonElement certificate = root.GetProperty("certificate");
        Assert.Equal("ECDSA P-256", certificate.GetProperty("key").GetString());
        Assert.Contains("ECDSA", certificate.GetProperty("signatureAlgorithm").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["digitalSignature", "keyEncipherment"], certificate.GetProperty("keyUsage").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(["serverAuth"], certificate.GetProperty("extendedKeyUsage").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("not a CA", certificate.GetProperty("basicConstraints").GetString());
        Assert.Contains($"DNS:{TestChain.ServerName}", certificate.GetProperty("subjectAlternativeNames").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(saved, root.GetProperty("savedChain").GetString());

        // The saved file is the presented chain: inspect judges it the same.
        CliResult again = await CliRun.RunAsync("inspect", saved, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        using JsonDocument againJson = JsonDocument.Parse(again.Output);
        Assert.Equal(_chain.LeafSha256, againJson.RootElement.GetProperty("certificate").GetProperty("sha256").GetString());
        Assert.Equal(3, againJson.RootElement.GetProperty("path").GetArrayLength());
    }

    [Fact]
    public async Task Crl_distribution_points_and_aia_are_shown()
    {
        using var folder = new TempFolder();
        X509Certificate2 issuer = _chain.Intermediate;
        TestCertificateSpec spec = TestPki.LeafSpec(TestChain.ServerName) with
        {
            Extensions = [TestPki.CrlDistributionPoint("http://crl.example.test/ca.crl"), new X509AuthorityInformationAccessExtension(["http://ocsp.example.test"], ["http://ca.example.test/ca.crt"])],
        };
        using X509Certificate2 leaf = TestPki.Issue(issuer, spec);
        string file = folder.WriteText("chain.pem", TestPki.ToPem(leaf, issuer));

        CliResult result = await CliRun.RunAsync("inspect", file, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem);

        Assert.Contains("  CRL DPs      http://crl.example.test/ca.crl\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  OCSP         http://ocsp.example.test\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  CA issuers   http://ca.example.test/ca.crt\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_notices_a_chain_out_of_order_says_so_and_judges_the_real_leaf()
    {
        using var folder = new TempFolder();
        string file = folder.WriteText("reversed.pem", TestPki.ToPem(_chain.Intermediate, _chain.Leaf));

        CliResult result = await CliRun.RunAsync("inspect", file, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal(_chain.LeafSha256, json.RootElement.GetProperty("certificate").GetProperty("sha256").GetString());
        string note = json.RootElement.GetProperty("orderNote").GetString()!;
        Assert.Contains("out of order", note, StringComparison.Ordinal);
        Assert.Contains("certificate 1", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agents_table_and_the_fingerprint_fit_80_columns()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", "other.example.test", "--trust", _chain.RootPem, "--expected-subject", "EMS Server");

        string[] lines = result.Output.Split('\n');
        int table = Array.FindIndex(lines, l => l.StartsWith("What agents would do", StringComparison.Ordinal));
        Assert.True(table > 0, result.Output);
        foreach (string line in lines.Skip(table).Take(6))
        {
            Assert.True(line.Length <= 80, $"{line.Length}: {line}");
        }

        string fingerprint = Assert.Single(lines, l => l.Contains("SHA-256", StringComparison.Ordinal));
        Assert.True(fingerprint.Length <= 80, fingerprint);
        Assert.EndsWith(_chain.LeafSha256, fingerprint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_json_errors_are_json_on_standard_output_with_the_same_exit_code()
    {
        int port = UnusedPort();

        CliResult refused = await CliRun.RunAsync("check", $"127.0.0.1:{port}", "--json");
        CliResult parse = await CliRun.RunAsync("check", "--json");
        CliResult missing = await CliRun.RunAsync("inspect", "/nonexistent/chain.pem", "--json");
        CliResult approvals = await CliRun.RunAsync("approvals", "forget", "bad host name!", "--json");

        foreach ((CliResult result, string code) in (IEnumerable<(CliResult, string)>)[(refused, "connection-failed"), (parse, "bad-arguments"), (missing, "file-not-found"), (approvals, "bad-arguments")])
        {
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Equal(string.Empty, result.Error);
            using JsonDocument json = JsonDocument.Parse(result.Output);
            JsonElement error = json.RootElement.GetProperty("error");
            Assert.Equal(code, error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
            Assert.Equal(1, error.GetProperty("exitCode").GetInt32());
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
