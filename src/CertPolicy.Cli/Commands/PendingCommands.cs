using System.CommandLine;
using System.Text.Json;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;

namespace CertPolicy.Cli.Commands;

/// <summary>
/// <c>certpolicy approvals pending|approve|deny</c>: the questions headless agents could not ask (kept beside the
/// approvals file), answered out of band.
/// </summary>
internal static class PendingCommands
{
    public static readonly string[] PendingExamples =
    [
        "certpolicy approvals pending",
        "certpolicy approvals pending --approvals /var/lib/agent/approvals.json --json",
    ];

    public static readonly string[] ApproveExamples =
    [
        "certpolicy approvals approve ems.example.com:8443 --sha256 3FA1...9C",
        "certpolicy approvals approve ems.example.com:8443 --sha256 3FA1...9C --approvals /var/lib/agent/approvals.json --json",
        "certpolicy approvals approve ems.example.com:8443 --sha256 3FA1...9C --scope key",
    ];

    public static readonly string[] DenyExamples =
    [
        "certpolicy approvals deny ems.example.com:8443 --sha256 3FA1...9C",
        "certpolicy approvals deny ems.example.com:8443 --sha256 3FA1...9C --approvals /var/lib/agent/approvals.json",
    ];

    /// <summary>Adds the three commands to <paramref name="approvals"/> and their examples to <paramref name="examples"/>.</summary>
    public static void AddTo(Command approvals, CliEnvironment environment, Dictionary<Command, string[]> examples)
    {
        var pendingFile = ApprovalsFile();
        var pendingJson = Json();
        var pending = new Command("pending", "List the questions agents could not ask (headless, or nobody answered in time): the server, the certificate and its problems, first and last seen, attempts. Answer each with approve or deny. Read-only: never renames, creates or locks anything; a damaged or unreadable file is reported and left as it is.");
        pending.Options.Add(pendingFile);
        pending.Options.Add(pendingJson);
        pending.SetAction(parse => List(environment, parse.GetValue(pendingFile), parse.GetValue(pendingJson)));

        (Command approve, Argument<string> approveServer, Option<string> approveSha256, Option<string?> approveFile, Option<bool> approveJson) = Answer(
            "approve",
            "Approve a pending question: remember an approval for exactly that server, certificate and problems, and remove the question. The agent's next connection uses it, without a restart. Only a certificate an agent was refused for can be approved.");
        var approveScope = new Option<string>("--scope")
        {
            HelpName = "certificate|key|issuer",
            DefaultValueFactory = _ => "certificate",
            Description = "What the approval covers: the exact certificate (default); any certificate for the server with the same key; or any with the same subject signed by the same issuer key. Use the scope of the agent's profile (ApprovalScope): under another scope the approval covers the exact certificate only.",
        };
        approveScope.AcceptOnlyFromAmong("certificate", "key", "issuer");
        approve.Options.Add(approveScope);
        approve.SetAction((parse, cancellationToken) => ApproveAsync(
            environment, parse.GetRequiredValue(approveServer), parse.GetRequiredValue(approveSha256), ScopeOf(parse.GetValue(approveScope)), parse.GetValue(approveFile), parse.GetValue(approveJson), cancellationToken));

        (Command deny, Argument<string> denyServer, Option<string> denySha256, Option<string?> denyFile, Option<bool> denyJson) = Answer(
            "deny",
            "Deny a pending question: remove it. Nothing is remembered, so the agent's next attempt records the question again.");
        deny.SetAction((parse, cancellationToken) => DenyAsync(
            environment, parse.GetRequiredValue(denyServer), parse.GetRequiredValue(denySha256), parse.GetValue(denyFile), parse.GetValue(denyJson), cancellationToken));

        approvals.Subcommands.Add(pending);
        approvals.Subcommands.Add(approve);
        approvals.Subcommands.Add(deny);
        examples[pending] = PendingExamples;
        examples[approve] = ApproveExamples;
        examples[deny] = DenyExamples;
    }

    private static Option<string?> ApprovalsFile() => new("--approvals")
    {
        HelpName = "FILE",
        Description = "The agent's approvals file; its questions are in FILE.pending.json. Default: the one agents of this account use (CertPolicy/approvals.json in the local application data folder). Its folder must exist.",
    };

    private static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of text." };

    private static (Command, Argument<string>, Option<string>, Option<string?>, Option<bool>) Answer(string name, string description)
    {
        var server = new Argument<string>("HOST[:PORT]") { Description = "The server of the question (port default 443)." };
        var sha256 = new Option<string>("--sha256")
        {
            HelpName = "FINGERPRINT",
            Required = true,
            Description = "The certificate of the question: its SHA-256 fingerprint as pending shows it (64 hexadecimal digits; lower case, ':' and spaces are accepted too).",
        };
        Option<string?> file = ApprovalsFile();
        Option<bool> json = Json();
        var command = new Command(name, description);
        command.Arguments.Add(server);
        command.Options.Add(sha256);
        command.Options.Add(file);
        command.Options.Add(json);
        return (command, server, sha256, file, json);
    }

    private static int List(CliEnvironment environment, string? file, bool json)
    {
        // The approvals file's path is checked as for list (a folder, a missing folder: errors). Read-only: a damaged or
        // unreadable questions file is reported and left as it is (never moved aside, locked or created).
        FileApprovalStore approvals = ApprovalsAccess.OpenForChanging(file ?? ApprovalsAccess.DefaultPath(), environment.TimeProvider, new MessageCollector());
        PendingQuestionStore store = PendingQuestionStore.OpenReadOnly(PendingQuestionStore.FilePathFor(approvals.FilePath), environment.TimeProvider);
        bool exists = File.Exists(store.FilePath);
        IReadOnlyList<PendingQuestion> questions;
        try
        {
            questions = store.List();
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException(ApprovalsAccess.Describe(ex), ex);
        }

        if (json)
        {
            var model = new PendingListJson
            {
                File = store.FilePath,
                FileExists = exists,
                Questions = [.. questions.Select(q => new PendingQuestionJson
                {
                    Server = q.Server.ToString(),
                    Host = q.Server.Host,
                    Port = q.Server.Port,
                    Sha256 = q.Fingerprint.ToString(),
                    SpkiSha256 = q.SpkiSha256,
                    Subject = q.Subject,
                    Issuer = q.Issuer,
                    NotBefore = q.NotBefore.ToUniversalTime(),
                    NotAfter = q.NotAfter.ToUniversalTime(),
                    Problems = [.. ApprovalsCommand.ProblemNames(q.Problems)],
                    FirstSeen = q.FirstSeen.ToUniversalTime(),
                    LastSeen = q.LastSeen.ToUniversalTime(),
                    Attempts = q.Attempts,
                })],
            };
            environment.Output.WriteLine(JsonSerializer.Serialize(model, JsonReport.Context.PendingListJson));
            return ExitCodes.Valid;
        }

        var blocks = new List<Block> { new FieldsBlock(null, [("Pending questions file", new Cell(store.FilePath))]) };
        if (questions.Count == 0)
        {
            blocks.Add(new HeadingBlock("No question is waiting for an answer.", Tone.Muted));
        }
        else
        {
            blocks.Add(new HeadingBlock(questions.Count == 1 ? "1 pending question" : $"{questions.Count} pending questions", Tone.Normal));
            blocks.AddRange(questions.Select(q => new FieldsBlock(q.Server.ToString(), [
                ("Subject", new Cell(q.Subject)),
                ("Issuer", new Cell(q.Issuer)),
                ("Valid", new Cell($"{CertificateFacts.FormatTime(q.NotBefore)} to {CertificateFacts.FormatTime(q.NotAfter)}")),
                ("Problems", new Cell(string.Join(", ", ApprovalsCommand.ProblemNames(q.Problems)), Tone.Warning)),
                ("Seen", new Cell($"{CertificateFacts.FormatTime(q.FirstSeen)} to {CertificateFacts.FormatTime(q.LastSeen)}, {q.Attempts} attempt(s)")),
                ("SHA-256", new Cell(q.Fingerprint.ToString(), Tone.Muted)),
                ("SPKI SHA-256", new Cell(q.SpkiSha256 ?? "(unknown)", Tone.Muted)),
            ])));
        }

        ReportPrinter.Print(environment, blocks);
        return ExitCodes.Valid;
    }

    /// <summary>The scope named on the command line (<c>key</c> is <see cref="ApprovalScope.PublicKey"/>).</summary>
    internal static ApprovalScope ScopeOf(string? name) =>
        ApprovalFactory.ToScope(name is null ? ApprovalScopeArgument.Certificate : ApprovalFactory.Parse(name) ?? ApprovalScopeArgument.Certificate);

    private static async Task<int> ApproveAsync(CliEnvironment environment, string serverText, string sha256, ApprovalScope scope, string? file, bool json, CancellationToken cancellationToken)
    {
        (ServerIdentity server, CertificateFingerprint certificate) = ParseQuestion(serverText, sha256);
        var messages = new MessageCollector();
        (FileApprovalStore approvals, PendingQuestionStore store) = OpenStores(environment, file, messages);
        CertificateApproval approval;
        try
        {
            approval = await store.ApproveAsync(server, certificate, approvals, scope, cancellationToken).ConfigureAwait(false);
        }
        catch (PendingQuestionNotFoundException ex)
        {
            throw new CliException(ex.Message, ex) { Code = "not-pending" };
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException(ApprovalsAccess.Describe(ex), ex);
        }

        string text = $"Approved {server} with certificate SHA-256\n  {certificate}\ndespite: {string.Join(", ", ApprovalsCommand.ProblemNames(approval.AcceptedProblems))}, scope {ApprovalText.ScopeName(approval.Scope)}. The agent's next connection uses it.";
        Report(environment, json, messages, text, new PendingAnswerJson
        {
            Result = "approved",
            Server = server.ToString(),
            Sha256 = certificate.ToString(),
            Problems = [.. ApprovalsCommand.ProblemNames(approval.AcceptedProblems)],
            ApprovalsFile = approvals.FilePath,
            PendingFile = store.FilePath,
        });
        return ExitCodes.Valid;
    }

    private static async Task<int> DenyAsync(CliEnvironment environment, string serverText, string sha256, string? file, bool json, CancellationToken cancellationToken)
    {
        (ServerIdentity server, CertificateFingerprint certificate) = ParseQuestion(serverText, sha256);
        var messages = new MessageCollector();
        (FileApprovalStore approvals, PendingQuestionStore store) = OpenStores(environment, file, messages);
        bool removed;
        try
        {
            removed = File.Exists(store.FilePath) && await store.DenyAsync(server, certificate, cancellationToken).ConfigureAwait(false);
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException(ApprovalsAccess.Describe(ex), ex);
        }

        string text = removed
            ? $"Denied {server} with certificate SHA-256\n  {certificate}\nThe question was removed; nothing is remembered, so the next attempt asks again."
            : $"No question for {server} with certificate SHA-256 {certificate} is pending in {store.FilePath}: nothing to deny.";
        Report(environment, json, messages, text, new PendingAnswerJson
        {
            Result = removed ? "denied" : "not-pending",
            Server = server.ToString(),
            Sha256 = certificate.ToString(),
            ApprovalsFile = approvals.FilePath,
            PendingFile = store.FilePath,
        });
        return ExitCodes.Valid;
    }

    /// <summary>The agent's approvals (path checked, nothing created) and the questions beside them.</summary>
    private static (FileApprovalStore Approvals, PendingQuestionStore Questions) OpenStores(CliEnvironment environment, string? file, MessageCollector messages)
    {
        FileApprovalStore approvals = ApprovalsAccess.OpenForChanging(file ?? ApprovalsAccess.DefaultPath(), environment.TimeProvider, messages);
        return (approvals, new PendingQuestionStore(PendingQuestionStore.FilePathFor(approvals.FilePath), environment.TimeProvider, messages));
    }

    private static (ServerIdentity Server, CertificateFingerprint Certificate) ParseQuestion(string serverText, string sha256)
    {
        ServerIdentity server = ServerIdentity.TryParse(serverText, CheckCommand.DefaultPort, out ServerIdentity? parsed, out string? error)
            ? parsed
            : throw new CliException($"'{TerminalText.Clean(serverText)}' is not a valid HOST[:PORT]: {error}");
        return CertificateFingerprint.TryParse(sha256, out CertificateFingerprint certificate)
            ? (server, certificate)
            : throw new CliException($"--sha256 '{TerminalText.Clean(sha256)}' is not a SHA-256 fingerprint (64 hexadecimal digits, upper or lower case, ':' or spaces allowed between them).");
    }

    private static void Report(CliEnvironment environment, bool json, MessageCollector messages, string text, PendingAnswerJson model)
    {
        foreach (string message in messages.Messages)
        {
            environment.Error.WriteLine($"certpolicy: warning: {TerminalText.Clean(message)}");
        }

        environment.Output.WriteLine(json
            ? JsonSerializer.Serialize(model, JsonReport.Context.PendingAnswerJson)
            : TerminalText.Clean(text, keepNewLines: true));
    }
}
