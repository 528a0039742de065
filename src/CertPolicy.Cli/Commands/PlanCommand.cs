using System.CommandLine;
using System.Text.Json;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;
using CertPolicy.Cli.Planning;

namespace CertPolicy.Cli.Commands;

/// <summary>
/// <c>certpolicy plan --certificate NEW-CHAIN.pem --inventory agents.csv</c>: what every endpoint of a fleet will do
/// with a new server certificate, totals per outcome, and the recommended order of the change.
/// </summary>
internal static class PlanCommand
{
    public static readonly string[] Examples =
    [
        "certpolicy plan --certificate new-chain.pem --inventory agents.csv --profile /opt/agent/appsettings.json",
        "certpolicy plan --certificate new-chain.pem --inventory agents.json --trust company-roots.pem --expected-subject EMS --at 2027-01-15",
        "certpolicy plan --certificate new-chain.pem --inventory agents.csv --json | jq .totals",
    ];

    public static Command Create(CliEnvironment environment)
    {
        var certificate = new Option<string>("--certificate")
        {
            HelpName = "NEW-CHAIN.pem",
            Required = true,
            Description = "The new certificate chain, as the server will send it (leaf first), in PEM.",
        };
        var inventory = new Option<string>("--inventory")
        {
            HelpName = "agents.csv|agents.json",
            Required = true,
            Description = "The endpoints: CSV with a header row, or JSON. Columns: name, generation (modern|legacy), server (HOST[:PORT]), and optionally action (Allow|Warn|Deny, default the profile's), headless (true|false) and approvals (FILE).",
        };
        var options = new JudgementOptions();
        var command = new Command("plan", "Plan a certificate change across a fleet: for each endpoint of an inventory, whether it will connect silently, prompt, or refuse with the new certificate; totals per outcome; and the recommended order of the change (server certificate, agents in report-only mode, modern mode) with what blocks each step. Exit code 0: every endpoint connects silently; 4: some would not; 1: error.");
        command.Options.Add(certificate);
        command.Options.Add(inventory);
        options.AddTo(command);
        command.SetAction(parse => Run(
            environment,
            parse.GetRequiredValue(certificate),
            parse.GetRequiredValue(inventory),
            options.Settings(parse, environment),
            parse.GetValue(options.Json)));
        return command;
    }

    private static int Run(CliEnvironment environment, string certificateFile, string inventoryFile, JudgeSettings settings, bool json)
    {
        PemChain chain = PemChainFile.Read(certificateFile);
        IReadOnlyList<Endpoint> endpoints = Inventory.Read(inventoryFile);
        var judge = Judge.Create(settings, environment.TimeProvider);
        (IReadOnlyList<ReadOnlyMemory<byte>> certificates, string? orderNote) = ChainOrder.LeafFirst(chain.Certificates);
        FleetPlan plan = FleetPlan.Make(judge, certificates, endpoints);
        CertificateSummary? leaf = CertificateFacts.TryDescribe(certificates[0]);
        var context = new PlanContext(Path.GetFullPath(certificateFile), Path.GetFullPath(inventoryFile), leaf, judge, orderNote);
        if (json)
        {
            environment.Output.WriteLine(JsonSerializer.Serialize(PlanOutput.Json(context, plan), JsonReport.Context.PlanJson));
            environment.Output.Flush();
        }
        else
        {
            ReportPrinter.Print(environment, PlanOutput.Blocks(context, plan));
        }

        return plan.ExitCode;
    }
}
