using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CertPolicy.Cli.Certificates;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;

namespace CertPolicy.Cli.Commands;

/// <summary>
/// <c>certpolicy approvals add</c>: writes an approval into an approvals file, as a user's "yes" would, for install
/// scripts. An approval covers exactly the problem kinds it accepted: computed from the certificate as <c>check</c>
/// and <c>inspect</c> judge it (with the agents' profile), or given with --problems.
/// </summary>
internal static class ApprovalsAddCommand
{
    public static readonly string[] Examples =
    [
        "certpolicy approvals add ems.example.com:8443 --from-pem server.pem --profile /opt/agent/appsettings.json",
        "certpolicy approvals add 10.0.0.5:8443 --from-pem server.pem --trust company-roots.pem --approvals /var/lib/agent/approvals.json",
        "certpolicy approvals add ems.example.com:8443 --sha256 3FA1...9C --problems UntrustedRoot --approvals /var/lib/agent/approvals.json --json",
    ];

    /// <summary>Adds the command to <paramref name="approvals"/> and its examples to <paramref name="examples"/>.</summary>
    public static void AddTo(Command approvals, CliEnvironment environment, Dictionary<Command, string[]> examples)
    {
        var server = new Argument<string>("HOST[:PORT]")
        {
            Description = "The server agents connect to, as their profile names it (port default 443). The approval applies to it only.",
        };
        var sha256 = new Option<string>("--sha256")
        {
            HelpName = "FINGERPRINT",
            Description = "The certificate's SHA-256 fingerprint (64 hexadecimal digits; lower case, ':' and spaces are accepted too). Needs --problems.",
        };
        var fromPem = new Option<string>("--from-pem")
        {
            HelpName = "FILE",
            Description = "A PEM file with the server's certificate (and its intermediates, as the server sends them). Its problems are computed as check and inspect judge it, with the options below.",
        };
        var scope = new Option<string>("--scope")
        {
            HelpName = "certificate|key|issuer",
            Description = "What the approval covers: this exact certificate (certificate, the default), any certificate for the server with the same public key (key), or with the same subject and issuer key (issuer).",
        };
        var problems = new Option<string>("--problems")
        {
            HelpName = "KIND,...",
            Description = "The problems the approval accepts, as list shows them (such as UntrustedRoot,NameMismatch). Required with --sha256; with --from-pem it replaces the computed ones.",
        };
        var file = new Option<string>("--approvals")
        {
            HelpName = "FILE",
            Description = "The approvals file to write. Default: the profile's ApprovalsFile, else the one agents of this account use (CertPolicy/approvals.json in the local application data folder). Its folder must exist. A rewritten file keeps its owner, group and mode.",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var judging = new JudgementOptions();
        var command = new Command("add", "Remember an approval of a certificate for a server, as a user's \"yes\" would: agents under Warn then connect to it without asking while it has exactly the problems approved. For install scripts. A valid certificate needs no approval: nothing is written (exit 0).");
        command.Arguments.Add(server);
        command.Options.Add(sha256);
        command.Options.Add(fromPem);
        command.Options.Add(scope);
        command.Options.Add(problems);
        command.Options.Add(file);
        judging.AddJudgingTo(command);
        command.Options.Add(json);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(sha256) is null) == (result.GetValue(fromPem) is null))
            {
                result.AddError("Give the certificate once: either --sha256 FINGERPRINT (with --problems) or --from-pem FILE.");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(
            environment,
            new Request(
                parse.GetRequiredValue(server),
                parse.GetValue(sha256),
                parse.GetValue(fromPem),
                parse.GetValue(scope),
                parse.GetValue(problems),
                parse.GetValue(file),
                parse.GetValue(json)),
            () => judging.Settings(parse, environment),
            cancellationToken));
        approvals.Subcommands.Add(command);
        examples[command] = Examples;
    }

    /// <summary>Reads --problems: names of problem kinds, separated by ',' (any case, spaces allowed).</summary>
    /// <exception cref="CliException">A name is not a problem kind, or none is given.</exception>
    internal static CertificateProblemKinds ParseProblems(string text)
    {
        CertificateProblemKinds kinds = CertificateProblemKinds.None;
        foreach (string name in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            CertificateProblemKinds kind = CertificateProblemKinds.None;
            bool known = name.All(char.IsAsciiLetter)
                && Enum.TryParse(name, ignoreCase: true, out kind)
                && kind != CertificateProblemKinds.None
                && Enum.IsDefined(kind);
            kinds |= known
                ? kind
                : throw new CliException($"--problems: '{TerminalText.Clean(name)}' is not a problem kind; use the names list shows: {string.Join(", ", ApprovalsCommand.ProblemNames((CertificateProblemKinds)~0))}.") { Code = "bad-arguments" };
        }

        return kinds != CertificateProblemKinds.None
            ? kinds
            : throw new CliException("--problems names no problem: an approval accepts at least one (such as --problems UntrustedRoot).") { Code = "bad-arguments" };
    }

    private static async Task<int> RunAsync(CliEnvironment environment, Request request, Func<JudgeSettings> settings, CancellationToken cancellationToken)
    {
        ServerIdentity server = ApprovalsCommand.ParseServer(request.Server);
        ApprovalScopeArgument scope = request.Scope is null
            ? ApprovalScopeArgument.Certificate
            : ApprovalFactory.Parse(request.Scope)
                ?? throw new CliException($"--scope must be certificate, key or issuer, not '{TerminalText.Clean(request.Scope)}'.") { Code = "bad-arguments" };
        CertificateProblemKinds? given = request.Problems is null ? null : ParseProblems(request.Problems);

        // The agents' profile, with the command line over it: its approvals file is the default target, and a
        // certificate is judged with it as check and inspect judge one.
        var judge = Judge.Create(settings() with { ApprovalsFile = null }, environment.TimeProvider);
        string path = request.ApprovalsFile ?? judge.Profile.ApprovalsFile ?? ApprovalsAccess.DefaultPath();
        if (request.Sha256 is { } hex)
        {
            CertificateFingerprint fingerprint = ApprovalsCommand.ParseFingerprint(hex);
            CertificateProblemKinds kinds = given
                ?? throw new CliException("--sha256 needs --problems KIND,...: an approval covers exactly the problems it accepted, and a fingerprint alone does not tell them (or use --from-pem FILE to compute them).") { Code = "bad-arguments" };
            CertificateApproval approval = ApprovalFactory.Create(server, fingerprint, kinds, environment.TimeProvider.GetUtcNow(), subject: null, scope, report: null);
            await SaveAsync(environment, request, approval, scope, path, judge: null, report: null, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Valid;
        }

        PemChain chain = PemChainFile.Read(request.FromPem!);
        (IReadOnlyList<ReadOnlyMemory<byte>> certificates, _) = ChainOrder.LeafFirst(chain.Certificates);
        ValidationReport report = judge.Validate(certificates, server);
        if (report.IsValid)
        {
            string text = $"The certificate in {Path.GetFullPath(request.FromPem!)} is valid for {server} (trusted roots: {judge.Profile.TrustDescription}): agents connect without an approval. Nothing was written.";
            Print(environment, request.Json, text, new ApprovalAddJson
            {
                Result = "not-needed",
                Server = server.ToString(),
                Sha256 = report.Certificate is { } leaf ? CertificateFingerprint.Parse(leaf.Sha256Fingerprint).ToString() : null,
                Subject = report.Certificate?.Subject,
                Problems = [],
                Scope = ApprovalFactory.Name(scope),
            });
            return ExitCodes.Valid;
        }

        CertificateSummary certificate = report.Certificate
            ?? throw new CliException($"CertPolicy cannot decode the server's certificate in {Path.GetFullPath(request.FromPem!)}: agents refuse it whatever is approved.") { Code = "not-approvable" };
        CertificateProblemKinds problems = given ?? report.Verdict.Kinds;
        CertificateApproval made = ApprovalFactory.Create(
            server, CertificateFingerprint.Parse(certificate.Sha256Fingerprint), problems, environment.TimeProvider.GetUtcNow(), certificate.Subject, scope, report);
        await SaveAsync(environment, request, made, scope, path, judge, report, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Valid;
    }

    private static async Task SaveAsync(
        CliEnvironment environment,
        Request request,
        CertificateApproval approval,
        ApprovalScopeArgument scope,
        string path,
        Judge? judge,
        ValidationReport? report,
        CancellationToken cancellationToken)
    {
        var messages = new MessageCollector();
        FileApprovalStore store = ApprovalsAccess.OpenForChanging(path, environment.TimeProvider, messages);
        bool replaced;
        try
        {
            replaced = File.Exists(store.FilePath) && store.Find(approval.Server, approval.Fingerprint) is not null;
            await store.SaveAsync(approval, cancellationToken).ConfigureAwait(false);
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException(ApprovalsAccess.Describe(ex), ex);
        }

        foreach (string message in messages.Messages)
        {
            environment.Error.WriteLine($"certpolicy: warning: {TerminalText.Clean(message)}");
        }

        // With the certificate at hand, the library's engine says whether a Warn agent of this profile now connects.
        AgentOutcome? check = judge is null || report is null
            ? null
            : judge.Decide(report, report.Mode == ValidationMode.Legacy ? AgentGeneration.Legacy : AgentGeneration.Modern, InvalidCertificateAction.Warn, headless: false, store);
        if (check is not null && check.Reason != DecisionReason.RememberedApproval)
        {
            environment.Error.WriteLine($"certpolicy: warning: an agent of this profile under Warn still would not connect silently: it {TerminalText.Clean(check.Description)}.");
        }

        string problems = string.Join(", ", ApprovalsCommand.ProblemNames(approval.AcceptedProblems));
        string text = string.Create(
            CultureInfo.InvariantCulture,
            $"{(replaced ? "Replaced the approval" : "Added an approval")} for {approval.Server} in {store.FilePath}:\n  certificate SHA-256\n  {approval.Fingerprint}\n  subject   {approval.Subject ?? "(not known: given by fingerprint)"}\n  problems  {problems}\n  scope     {ApprovalFactory.Name(scope)}\n  approved  {CertificateFacts.FormatTime(approval.ApprovedAt)}\nAgents under Warn connect to {approval.Server} with this certificate without asking while it has exactly these problems.");
        Print(environment, request.Json, text, new ApprovalAddJson
        {
            Result = replaced ? "replaced" : "added",
            Server = approval.Server.ToString(),
            Sha256 = approval.Fingerprint.ToString(),
            Subject = approval.Subject,
            Problems = [.. ApprovalsCommand.ProblemNames(approval.AcceptedProblems)],
            Scope = ApprovalFactory.Name(scope),
            ApprovalsFile = store.FilePath,
            ApprovedAt = approval.ApprovedAt.ToUniversalTime(),
            AgentsUnderWarn = check?.Outcome,
        });
    }

    private static void Print(CliEnvironment environment, bool json, string text, ApprovalAddJson model) =>
        environment.Output.WriteLine(json
            ? JsonSerializer.Serialize(model, JsonReport.Context.ApprovalAddJson)
            : TerminalText.Clean(text, keepNewLines: true));

    private sealed record Request(string Server, string? Sha256, string? FromPem, string? Scope, string? Problems, string? ApprovalsFile, bool Json);
}
