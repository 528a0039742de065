using System.Globalization;
using System.Text;
using System.Text.Json;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Planning;

/// <summary>certpolicy plan: a fleet's outcomes with a new certificate, judged by the library's engine.</summary>
public sealed class PlanCommandTests : IDisposable
{
    private const string OtherName = "old-name.example.test";
    private const string ExpectedSubject = "Old EMS";
    private readonly TestChain _chain = new();
    private readonly TempFolder _folder = new();

    [Fact]
    public async Task A_fleet_of_1200_mixed_endpoints_gets_the_totals_computed_independently()
    {
        const int count = 1200;
        var csv = new StringBuilder("name,generation,action,server,headless\n");
        var expected = new Dictionary<string, int>(StringComparer.Ordinal) { ["connect"] = 0, ["ask"] = 0, ["refuse"] = 0, ["refuse-unattended"] = 0 };
        for (int i = 0; i < count; i++)
        {
            bool legacy = i % 2 == 1;
            string action = (i % 3) switch { 0 => "Allow", 1 => "Warn", _ => "Deny" };
            bool headless = i % 5 == 0;
            string server = i % 4 == 0 ? $"{OtherName}:8443" : $"{TestChain.ServerName}:{8443 + (i % 7)}";
            csv.Append(CultureInfo.InvariantCulture, $"agent-{i:D4},{(legacy ? "legacy" : "modern")},{action},{server},{(headless ? "true" : "false")}\n");

            // The new certificate names server.example.test only, and its subject is not the one legacy agents expect.
            bool valid = !legacy && !server.StartsWith(OtherName, StringComparison.Ordinal);
            string outcome = valid || action == "Allow" ? "connect" : action == "Deny" ? "refuse" : headless ? "refuse-unattended" : "ask";
            expected[outcome]++;
        }

        string inventory = _folder.WriteText("agents.csv", csv.ToString());

        CliResult result = await CliRun.RunAsync("plan", "--certificate", _chain.ChainPem, "--inventory", inventory, "--trust", _chain.RootPem, "--expected-subject", ExpectedSubject, "--json");

        Assert.True(result.ExitCode == 4, result.Error);
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement root = json.RootElement;
        foreach ((string outcome, int total) in expected)
        {
            Assert.Equal(total, root.GetProperty("totals").GetProperty(outcome).GetInt32());
        }

        Assert.Equal(count, root.GetProperty("endpoints").GetArrayLength());
        Assert.Equal(count, expected.Values.Sum());
        JsonElement first = root.GetProperty("endpoints")[0];
        Assert.Equal("agent-0000", first.GetProperty("name").GetString());
        Assert.Equal($"{OtherName}:8443", first.GetProperty("server").GetString());
        Assert.Equal("connect", first.GetProperty("outcome").GetString());
        Assert.Equal("AllowedByPolicy", first.GetProperty("reason").GetString());

        // Step 1 is blocked by every endpoint that would not connect silently; step 3 (modern mode) by the old name's.
        JsonElement[] steps = [.. root.GetProperty("steps").EnumerateArray()];
        Assert.Equal(3, steps.Length);
        Assert.Equal(count - expected["connect"], steps[0].GetProperty("blockedBy").GetArrayLength());
        int oldNameNotAllow = Enumerable.Range(0, count).Count(i => i % 4 == 0 && i % 3 != 0);
        Assert.Equal(oldNameNotAllow, steps[2].GetProperty("blockedBy").GetArrayLength());
        int notAllow = Enumerable.Range(0, count).Count(i => i % 3 != 0);
        Assert.Equal(notAllow, steps[1].GetProperty("blockedBy").GetArrayLength());
    }

    [Fact]
    public async Task A_json_inventory_with_an_approvals_file_and_a_profile_prints_totals_and_steps()
    {
        string approvals = _folder.File("approvals.json");
        var store = new FileApprovalStore(approvals);
        await store.SaveAsync(
            new CertificateApproval(ServerIdentity.Create(OtherName), CertificateFingerprint.Parse(_chain.LeafSha256), CertificateProblemKinds.NameMismatch, TestPki.Now.AddDays(-1)),
            TestContext.Current.CancellationToken);
        string settings = Commands.GenerationsAndProfileTests.WriteSettings(_folder, "Agent", new() { ["TrustStore"] = _chain.RootPem, ["InvalidCertificateAction"] = "Warn" });
        string inventory = _folder.WriteText("agents.json", $$"""
            { "endpoints": [
              { "name": "desk-1", "generation": "modern", "server": "{{TestChain.ServerName}}" },
              { "name": "desk-2", "generation": "modern", "server": "{{OtherName}}", "approvals": "approvals.json" },
              { "name": "kiosk", "mode": "modern", "server": "{{OtherName}}", "headless": true },
              { "name": "lab", "generation": "modern", "server": "{{OtherName}}", "action": "Deny" }
            ] }
            """);

        CliResult result = await CliRun.RunAsync("plan", "--certificate", _chain.ChainPem, "--inventory", inventory, "--profile", settings);

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("  2          connect silently\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  1          refuse\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  1          refuse: headless, no one to ask (pending question)\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("Step 1: Install the new server certificate: blocked by 2 endpoints", result.Output, StringComparison.Ordinal);
        Assert.Contains("connects (remembered approval)", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_inventory_entry_that_is_not_valid_is_named()
    {
        string inventory = _folder.WriteText("agents.csv", "name,generation,server\nok,modern,a.example.test\nbad,ancient,b.example.test\n");

        CliResult result = await CliRun.RunAsync("plan", "--certificate", _chain.ChainPem, "--inventory", inventory, "--json");

        Assert.True(result.ExitCode == 1, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal("bad-inventory", json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("line 3 (bad)", json.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_has_help_with_examples_and_requires_its_two_files()
    {
        CliResult help = await CliRun.RunAsync("plan", "--help");
        CliResult missing = await CliRun.RunAsync("plan", "--certificate", _chain.ChainPem);

        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("--inventory", help.Output, StringComparison.Ordinal);
        Assert.Contains("Examples:", help.Output, StringComparison.Ordinal);
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("--inventory", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _chain.Dispose();
        _folder.Dispose();
    }
}
