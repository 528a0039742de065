using System.CommandLine;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;

namespace CertPolicy.Cli.Commands;

/// <summary><c>certpolicy inspect FILE.pem</c>: the same judgement as check, offline, for a chain in a PEM file.</summary>
/// <remarks>
/// The server name is required: agents always check it, so a verdict without it would be a verdict no agent
/// reaches. Give the name (and port) agents use.
/// </remarks>
internal static class InspectCommand
{
    public static readonly string[] Examples =
    [
        "certpolicy inspect new-chain.pem --server-name ems.example.com:8443",
        "certpolicy inspect new-chain.pem --server-name ems.example.com --trust company-roots.pem --expected-subject EMS",
        "certpolicy inspect new-chain.pem --server-name ems.example.com --json",
    ];

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE.pem")
        {
            Description = "A PEM file with the server's certificate first, then its intermediates, as the server would send them. Other blocks (such as a private key) are skipped unread.",
        };
        var options = new JudgementOptions(serverNameRequired: true);
        var command = new Command("inspect", "Judge a certificate chain from a PEM file, offline, as agents would judge it from the server: the same report as check. Exit code 0: valid; 3: not valid; 1: error.");
        command.Arguments.Add(file);
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var settings = new JudgeSettings(parse.GetValue(options.Trust), parse.GetValue(options.ExpectedSubject), parse.GetValue(options.Approvals));
            return Run(environment, parse.GetRequiredValue(file), parse.GetRequiredValue(options.ServerName), settings, parse.GetValue(options.Json));
        });
        return command;
    }

    private static int Run(CliEnvironment environment, string file, string serverName, JudgeSettings settings, bool json)
    {
        if (!ServerIdentity.TryParse(serverName, CheckCommand.DefaultPort, out ServerIdentity? identity, out string? error))
        {
            throw new CliException($"--server-name '{serverName}' is not a valid NAME[:PORT]: {error}");
        }

        PemChain chain = PemChainFile.Read(file);
        var judge = Judge.Create(settings, environment.TimeProvider);
        Judgement judgement = judge.Run(chain.Certificates, identity);

        string fullPath = Path.GetFullPath(file);
        string count = chain.Certificates.Count == 1 ? "1 certificate" : $"{chain.Certificates.Count} certificates";
        string skipped = chain.SkippedBlocks == 0 ? string.Empty : $", {chain.SkippedBlocks} other block(s) skipped";
        var source = new JudgedSource("inspect", $"{fullPath} ({count}{skipped})", fullPath, null, null, chain.Certificates.Count);
        ReportPrinter.Print(environment, source, judgement, json);
        return judgement.ExitCode;
    }
}
