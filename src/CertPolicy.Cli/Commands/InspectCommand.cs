using System.CommandLine;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;

namespace CertPolicy.Cli.Commands;

/// <summary><c>certpolicy inspect FILE.pem</c>: the same judgement as check, offline, for a chain in a PEM file.</summary>
/// <remarks>
/// Without --server-name everything but the name is judged (the report says so): agents always check the name, so
/// give the name (and port) agents use for a verdict an agent would reach.
/// </remarks>
internal static class InspectCommand
{
    public static readonly string[] Examples =
    [
        "certpolicy inspect new-chain.pem --server-name ems.example.com:8443",
        "certpolicy inspect new-chain.pem --server-name ems.example.com --trust company-roots.pem --expected-subject EMS --fail-on legacy",
        "certpolicy inspect new-chain.pem --server-name ems.example.com --profile appsettings.json --at 2027-01-15",
        "certpolicy inspect new-chain.pem --json",
    ];

    public static Command Create(CliEnvironment environment)
    {
        var file = new Argument<string>("FILE.pem")
        {
            Description = "A PEM file with the server's certificate first, then its intermediates, as the server would send them (a file out of order is noticed and said so). Other blocks (such as a private key) are skipped unread.",
        };
        var serverName = new Option<string>("--server-name")
        {
            HelpName = "NAME[:PORT]",
            Description = "The server name (and port, default 443) agents connect to; the certificate must name it. Without it, everything but the name is judged.",
        };
        var options = new JudgementOptions();
        Option<FailOn> failOn = JudgementOptions.CreateFailOn();
        var command = new Command("inspect", "Judge a certificate chain from a PEM file, offline, as agents would judge it from the server: the same report as check. Exit code 0: valid; 3: not valid; 4: with --fail-on, some agents would not connect silently; 1: error.");
        command.Arguments.Add(file);
        command.Options.Add(serverName);
        options.AddTo(command);
        command.Options.Add(failOn);
        command.SetAction(parse => Run(
            environment,
            parse.GetRequiredValue(file),
            parse.GetValue(serverName),
            options.Settings(parse, environment),
            parse.GetValue(failOn),
            parse.GetValue(options.Json)));
        return command;
    }

    private static int Run(CliEnvironment environment, string file, string? serverName, JudgeSettings settings, FailOn failOn, bool json)
    {
        ServerIdentity? identity = null;
        if (serverName is not null && !ServerIdentity.TryParse(serverName, CheckCommand.DefaultPort, out identity, out string? error))
        {
            throw new CliException($"--server-name '{serverName}' is not a valid NAME[:PORT]: {error}") { Code = "bad-arguments" };
        }

        PemChain chain = PemChainFile.Read(file);
        var judge = Judge.Create(settings, environment.TimeProvider);
        CheckCommand.CheckFailOn(failOn, judge);
        (IReadOnlyList<ReadOnlyMemory<byte>> certificates, string? orderNote) = ChainOrder.LeafFirst(chain.Certificates);
        Judgement judgement = judge.Run(certificates, identity);

        string fullPath = Path.GetFullPath(file);
        string count = chain.Certificates.Count == 1 ? "1 certificate" : $"{chain.Certificates.Count} certificates";
        string skipped = chain.SkippedBlocks == 0 ? string.Empty : $", {chain.SkippedBlocks} other block(s) skipped";
        var source = new JudgedSource("inspect", $"{fullPath} ({count}{skipped})", fullPath, null, null, chain.Certificates.Count)
        {
            OrderNote = orderNote,
        };
        int exitCode = judgement.ExitCode(failOn);
        ReportPrinter.Print(environment, source, judgement, json, exitCode);
        return exitCode;
    }
}
