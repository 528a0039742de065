using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Commands;

public sealed class HelpAndUsageTests
{
    [Theory]
    [InlineData("certpolicy", new string[0])]
    [InlineData("certpolicy check", new[] { "check" })]
    [InlineData("certpolicy inspect", new[] { "inspect" })]
    [InlineData("certpolicy approvals", new[] { "approvals" })]
    [InlineData("certpolicy approvals list", new[] { "approvals", "list" })]
    [InlineData("certpolicy approvals forget", new[] { "approvals", "forget" })]
    public async Task Every_command_has_help_with_usage_and_examples(string command, string[] path)
    {
        CliResult result = await CliRun.RunAsync([.. path, "--help"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(string.Empty, result.Error);
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Contains($"  {command}", result.Output, StringComparison.Ordinal);
        int examples = result.Output.IndexOf("Examples:", StringComparison.Ordinal);
        Assert.True(examples >= 0, result.Output);
        Assert.Contains(command + " ", result.Output[examples..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_for_check_lists_every_option()
    {
        CliResult result = await CliRun.RunAsync("check", "--help");

        foreach (string option in new[] { "--server-name", "--trust", "--expected-subject", "--approvals", "--json", "--timeout" })
        {
            Assert.Contains(option, result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Help_is_shown_even_when_the_rest_of_the_command_line_is_incomplete()
    {
        CliResult result = await CliRun.RunAsync("inspect", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("--server-name", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "certpolicy --help")]
    [InlineData(new[] { "frobnicate" }, "certpolicy --help")]
    [InlineData(new[] { "check" }, "certpolicy check --help")]
    [InlineData(new[] { "check", "example.test", "--no-such-option" }, "certpolicy check --help")]
    [InlineData(new[] { "check", "example.test", "--timeout", "soon" }, "certpolicy check --help")]
    [InlineData(new[] { "check", "example.test", "--timeout", "0" }, "certpolicy check --help")]
    [InlineData(new[] { "approvals" }, "certpolicy approvals --help")]
    [InlineData(new[] { "approvals", "forget" }, "certpolicy approvals forget --help")]
    public async Task Bad_arguments_exit_1_with_one_line_pointing_to_help(string[] args, string hint)
    {
        CliResult result = await CliRun.RunAsync(args);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(string.Empty, result.Output);
        string line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("certpolicy: ", line, StringComparison.Ordinal);
        Assert.EndsWith($"See '{hint}'.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        CliResult result = await CliRun.RunAsync("--version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^\d+\.\d+\.\d+", result.Output);
    }
}
