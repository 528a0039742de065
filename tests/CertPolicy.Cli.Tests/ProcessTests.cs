using System.Diagnostics;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests;

/// <summary>The tool as a process: the entry point, exit codes and plain output when redirected.</summary>
public sealed class ProcessTests
{
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Help_runs_as_a_process_and_exits_0()
    {
        (int exitCode, string output, string error) = await RunToolAsync("--help");

        Assert.True(exitCode == 0, error);
        Assert.Contains("certpolicy", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public async Task A_malformed_file_exits_1_with_one_line_and_no_stack_trace()
    {
        using var folder = new TempFolder();
        string file = folder.WriteText("bad.pem", "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n");

        (int exitCode, string output, string error) = await RunToolAsync("inspect", file, "--server-name", "server.example.test");

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("certpolicy: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_certificate_exits_3_as_a_process()
    {
        using var chain = new TestChain();

        // The real clock: the test certificates are valid from 2025 to 2035.
        (int exitCode, string output, string error) = await RunToolAsync("inspect", chain.ChainPem, "--server-name", "other.example.test", "--trust", chain.RootPem);

        Assert.True(exitCode == 3, output + error);
        Assert.Contains("NameMismatch", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public async Task A_legacy_failing_certificate_exits_4_with_fail_on_legacy_as_a_process()
    {
        using var chain = new TestChain();
        await using LoopbackTlsServer server = chain.StartServer();

        (int legacy, string output, string error) = await RunToolAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", chain.RootPem, "--expected-subject", "EMS Server", "--fail-on", "legacy");
        (int modern, _, string modernError) = await RunToolAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", chain.RootPem, "--expected-subject", "EMS Server", "--fail-on", "modern");

        Assert.True(legacy == 4, output + error);
        Assert.Contains("Legacy agents", output, StringComparison.Ordinal);
        Assert.True(modern == 0, modernError);
    }

    [Fact]
    public async Task A_json_error_parses_as_a_process()
    {
        using var folder = new TempFolder();

        (int exitCode, string output, string error) = await RunToolAsync("plan", "--certificate", folder.File("missing.pem"), "--inventory", folder.File("agents.csv"), "--json");

        Assert.Equal(1, exitCode);
        Assert.Equal(string.Empty, error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal("file-not-found", json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunToolAsync(params string[] args)
    {
        string tool = Path.Combine(AppContext.BaseDirectory, "CertPolicy.Cli.dll");
        Assert.True(File.Exists(tool), $"{tool} was not built next to the tests.");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(tool);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(ProcessLimit);
        Task<string> output = process.StandardOutput.ReadToEndAsync(limit.Token);
        Task<string> error = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await output).ReplaceLineEndings("\n"), (await error).ReplaceLineEndings("\n"));
    }
}
