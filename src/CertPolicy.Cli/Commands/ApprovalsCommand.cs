using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;

namespace CertPolicy.Cli.Commands;

/// <summary><c>certpolicy approvals list|forget</c>: the approvals users gave to certificates with problems (add: <see cref="ApprovalsAddCommand"/>).</summary>
internal static class ApprovalsCommand
{
    public static readonly string[] Examples =
    [
        "certpolicy approvals list",
        "certpolicy approvals list ems.example.com:8443 --approvals /var/lib/agent/approvals.json",
        "certpolicy approvals forget ems.example.com:8443",
        "certpolicy approvals forget ems.example.com:8443 --sha256 3FA1...9C",
        "certpolicy approvals add ems.example.com:8443 --from-pem server.pem --profile /opt/agent/appsettings.json",
        "certpolicy approvals forget --all --approvals /var/lib/agent/approvals.json",
    ];

    public static readonly string[] ListExamples =
    [
        "certpolicy approvals list",
        "certpolicy approvals list ems.example.com:8443 --approvals /var/lib/agent/approvals.json --json",
    ];

    public static readonly string[] ForgetExamples =
    [
        "certpolicy approvals forget ems.example.com:8443",
        "certpolicy approvals forget ems.example.com:8443 --sha256 3FA1...9C --approvals /var/lib/agent/approvals.json",
        "certpolicy approvals forget --all --approvals /var/lib/agent/approvals.json",
    ];

    public static (Command Approvals, Command List, Command Forget) Create(CliEnvironment environment)
    {
        Option<string> ApprovalsFile() => new("--approvals")
        {
            HelpName = "FILE",
            Description = "The approvals file. Default: the one agents of this account use (CertPolicy/approvals.json in the local application data folder). Its folder must exist: nothing is created.",
        };

        var listServer = new Argument<string?>("HOST[:PORT]")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "Only the approvals for this server (port default 443).",
        };
        var listFile = ApprovalsFile();
        var listJson = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var list = new Command("list", "List the remembered approvals: which certificate each server may use despite which problems, and since when. Read-only: never renames, creates or locks anything; a damaged or unreadable file is reported and left as it is.");
        list.Arguments.Add(listServer);
        list.Options.Add(listFile);
        list.Options.Add(listJson);
        list.SetAction(parse => List(environment, parse.GetValue(listServer), parse.GetValue(listFile), parse.GetValue(listJson)));

        var forgetServer = new Argument<string?>("HOST[:PORT]")
        {
            Arity = ArgumentArity.ZeroOrOne,
            Description = "The server whose approvals to forget (port default 443). Leave it out with --all.",
        };
        var all = new Option<bool>("--all")
        {
            Description = "Forget every approval of every server in the file, in one change (such as when a machine is handed to another user).",
        };
        var forgetFile = ApprovalsFile();
        var sha256 = new Option<string>("--sha256")
        {
            HelpName = "FINGERPRINT",
            Description = "Forget only the approval of this certificate: its SHA-256 fingerprint as list shows it (64 hexadecimal digits; lower case, ':' and spaces are accepted too). Default: every approval for the server.",
        };
        var forget = new Command("forget", "Forget remembered approvals for a server (or, with --all, for every server), so agents under Warn ask again. The rewritten file keeps its owner, group and mode.");
        forget.Arguments.Add(forgetServer);
        forget.Options.Add(forgetFile);
        forget.Options.Add(sha256);
        forget.Options.Add(all);
        forget.Validators.Add(result =>
        {
            bool everything = result.GetValue(all);
            if (everything && (result.GetValue(forgetServer) is not null || result.GetValue(sha256) is not null))
            {
                result.AddError("--all forgets every approval of every server: give it without a server or --sha256.");
            }
            else if (!everything && result.GetValue(forgetServer) is null)
            {
                result.AddError("Name the server whose approvals to forget (HOST[:PORT]), or give --all to forget every approval of every server.");
            }
        });
        forget.SetAction((parse, cancellationToken) =>
            ForgetAsync(environment, parse.GetValue(forgetServer), parse.GetValue(sha256), parse.GetValue(all), parse.GetValue(forgetFile), cancellationToken));

        var approvals = new Command("approvals", "See, add and forget the approvals users gave to certificates with problems (profiles with InvalidCertificateAction Warn).");
        approvals.Subcommands.Add(list);
        approvals.Subcommands.Add(forget);
        return (approvals, list, forget);
    }

    internal static ServerIdentity ParseServer(string value)
    {
        return ServerIdentity.TryParse(value, CheckCommand.DefaultPort, out ServerIdentity? server, out string? error)
            ? server
            : throw new CliException($"'{TerminalText.Clean(value)}' is not a valid HOST[:PORT]: {error}") { Code = "bad-arguments" };
    }

    /// <summary>Reads --sha256: 64 hexadecimal digits, any case, ':' or spaces allowed between them.</summary>
    internal static CertificateFingerprint ParseFingerprint(string value) =>
        CertificateFingerprint.TryParse(value, out CertificateFingerprint fingerprint)
            ? fingerprint
            : throw new CliException($"--sha256 '{TerminalText.Clean(value)}' is not a SHA-256 fingerprint (64 hexadecimal digits, upper or lower case, ':' or spaces allowed between them).") { Code = "bad-arguments" };

    private static int List(CliEnvironment environment, string? serverText, string? file, bool json)
    {
        ServerIdentity? server = serverText is null ? null : ParseServer(serverText);
        FileApprovalStore store = ApprovalsAccess.OpenForReading(file ?? ApprovalsAccess.DefaultPath(), environment.TimeProvider);
        bool exists = File.Exists(store.FilePath);
        IReadOnlyList<CertificateApproval> approvals;
        try
        {
            approvals = [.. store.List().Where(a => server is null || a.Server.Equals(server))];
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException(ApprovalsAccess.Describe(ex), ex);
        }

        if (json)
        {
            var model = new ApprovalListJson
            {
                File = store.FilePath,
                FileExists = exists,
                Approvals = [.. approvals.Select(a => new ApprovalJson
                {
                    Server = a.Server.ToString(),
                    Host = a.Server.Host,
                    Port = a.Server.Port,
                    Sha256 = a.Fingerprint.ToString(),
                    Subject = a.Subject,
                    Problems = [.. ProblemNames(a.AcceptedProblems)],
                    ApprovedAt = a.ApprovedAt.ToUniversalTime(),
                    Scope = ApprovalText.ScopeName(a.Scope),
                    ApprovedBy = a.ApprovedBy,
                    ReplacedAt = a.ReplacedAt?.ToUniversalTime(),
                    PublicKeySha256 = a.PublicKeySha256,
                })],
            };
            environment.Output.WriteLine(JsonSerializer.Serialize(model, JsonReport.Context.ApprovalListJson));
            return ExitCodes.Valid;
        }

        var blocks = new List<Block> { new FieldsBlock(null, [("Approvals file", new Cell(store.FilePath))]) };
        if (!exists)
        {
            blocks.Add(new HeadingBlock("The approvals file does not exist. No approval is remembered.", Tone.Muted));
        }
        else if (approvals.Count == 0)
        {
            string scope = server is null ? string.Empty : $" for {server}";
            blocks.Add(new HeadingBlock($"No approval{scope} is remembered.", Tone.Muted));
        }
        else
        {
            // One block per approval, the fingerprint on its own line: 2 + 8 + 2 + 64 = 76 columns, so it never
            // wraps on an 80-column terminal and can be copied whole into `forget --sha256`.
            blocks.Add(new HeadingBlock(approvals.Count == 1 ? "1 remembered approval" : $"{approvals.Count} remembered approvals", Tone.Normal));
            blocks.AddRange(approvals.Select(a => new FieldsBlock(a.Server.ToString(), [
                ("Subject", new Cell(a.Subject ?? "(unknown)")),
                ("Problems", new Cell(string.Join(", ", ProblemNames(a.AcceptedProblems)), Tone.Warning)),
                ("Approved", new Cell(CertificateFacts.FormatTime(a.ApprovedAt) + (a.ApprovedBy is null ? string.Empty : $" by {a.ApprovedBy}"))),
                ("Scope", new Cell(ApprovalText.ScopeName(a.Scope))),
                ("Replaced", new Cell(a.ReplacedAt is { } replaced ? $"{CertificateFacts.FormatTime(replaced)} (still applies)" : "no", Tone.Muted)),
                ("SHA-256", new Cell(a.Fingerprint.ToString(), Tone.Muted)),
            ])));
        }

        ReportPrinter.Print(environment, blocks);
        return ExitCodes.Valid;
    }

    private static async Task<int> ForgetAsync(CliEnvironment environment, string? serverText, string? sha256, bool all, string? file, CancellationToken cancellationToken)
    {
        // The parser's validator saw to it: with --all no server and no fingerprint; without, a server.
        ServerIdentity? server = all ? null : ParseServer(serverText!);
        CertificateFingerprint? fingerprint = sha256 is null ? null : ParseFingerprint(sha256);

        var messages = new MessageCollector();
        FileApprovalStore store = ApprovalsAccess.OpenForChanging(file ?? ApprovalsAccess.DefaultPath(), environment.TimeProvider, messages);
        if (!File.Exists(store.FilePath))
        {
            // Nothing is created: no folder, no lock file, no empty approvals file.
            environment.Output.WriteLine(TerminalText.Clean($"The approvals file {store.FilePath} does not exist: nothing to forget."));
            return ExitCodes.Valid;
        }

        string result;
        try
        {
            if (server is null)
            {
                int count = await store.ForgetEverythingAsync(cancellationToken).ConfigureAwait(false);
                result = count switch
                {
                    0 => $"No approval is remembered in {store.FilePath}: nothing to forget.",
                    1 => $"Forgot 1 approval (every server) in {store.FilePath}.",
                    _ => $"Forgot {count.ToString(CultureInfo.InvariantCulture)} approvals (every server) in {store.FilePath}.",
                };
            }
            else if (fingerprint is not { } certificate)
            {
                int count = await store.ForgetAllAsync(server, cancellationToken).ConfigureAwait(false);
                result = count switch
                {
                    0 => $"No approval for {server} is remembered in {store.FilePath}: nothing to forget.",
                    1 => $"Forgot 1 approval for {server}.",
                    _ => $"Forgot {count.ToString(CultureInfo.InvariantCulture)} approvals for {server}.",
                };
            }
            else
            {
                bool forgotten = await store.ForgetAsync(server, certificate, cancellationToken).ConfigureAwait(false);
                result = forgotten
                    ? $"Forgot the approval for {server} of certificate SHA-256\n  {certificate}"
                    : $"No approval for {server} of certificate SHA-256 {certificate} is remembered in {store.FilePath}: nothing to forget.";
            }
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException(ApprovalsAccess.Describe(ex), ex);
        }

        foreach (string message in messages.Messages)
        {
            environment.Error.WriteLine($"certpolicy: warning: {TerminalText.Clean(message)}");
        }

        environment.Output.WriteLine(TerminalText.Clean(result, keepNewLines: true));
        return ExitCodes.Valid;
    }

    internal static IEnumerable<string> ProblemNames(CertificateProblemKinds kinds) =>
        Enum.GetValues<CertificateProblemKinds>().Where(k => k != CertificateProblemKinds.None && (kinds & k) == k).Select(k => k.ToString());
}
