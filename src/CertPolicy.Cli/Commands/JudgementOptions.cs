using System.CommandLine;

namespace CertPolicy.Cli.Commands;

/// <summary>The options check and inspect share: how to judge, and how to print.</summary>
internal sealed class JudgementOptions
{
    public JudgementOptions(bool serverNameRequired)
    {
        ServerName = new Option<string>("--server-name")
        {
            HelpName = "NAME[:PORT]",
            Required = serverNameRequired,
            Description = serverNameRequired
                ? "The server name (and port, default 443) agents connect to; the certificate must name it."
                : "The server name (and port) agents use, when it is not the HOST[:PORT] connected to; also sent as SNI.",
        };
        Trust = new Option<string>("--trust")
        {
            HelpName = "FILE.pem|DIR",
            Description = "Trust only the root certificates in this PEM file or folder, as agents configured with it do. Default: the operating system's roots.",
        };
        ExpectedSubject = new Option<string>("--expected-subject")
        {
            HelpName = "CN",
            Description = "The subject common name legacy agents expect: adds the legacy verdict beside the modern one.",
        };
        Approvals = new Option<string>("--approvals")
        {
            HelpName = "FILE",
            Description = "An agents' approvals file: shows whether a remembered approval applies under Warn.",
        };
        Json = new Option<bool>("--json")
        {
            Description = "Print one JSON object instead of the report.",
        };
    }

    public Option<string> ServerName { get; }

    public Option<string> Trust { get; }

    public Option<string> ExpectedSubject { get; }

    public Option<string> Approvals { get; }

    public Option<bool> Json { get; }

    public void AddTo(Command command)
    {
        command.Options.Add(ServerName);
        command.Options.Add(Trust);
        command.Options.Add(ExpectedSubject);
        command.Options.Add(Approvals);
        command.Options.Add(Json);
    }
}
