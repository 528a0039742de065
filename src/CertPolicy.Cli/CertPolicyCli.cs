using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using CertPolicy.Cli.Commands;

namespace CertPolicy.Cli;

/// <summary>
/// The <c>certpolicy</c> command line: builds the commands and runs one. Expected failures print one line,
/// <c>certpolicy: message</c>, on standard error and exit with <see cref="ExitCodes.Error"/>; nothing prints a stack trace.
/// With --json (any command), the failure is instead one JSON object on standard output,
/// <c>{"error": {"code": ..., "message": ..., "exitCode": ...}}</c>, with the same exit code.
/// </summary>
internal static class CertPolicyCli
{
    public const string Name = "certpolicy";

    public static readonly string[] RootExamples =
    [
        "certpolicy check ems.example.com:8443 --trust company-roots.pem",
        "certpolicy inspect new-chain.pem --server-name ems.example.com:8443",
        "certpolicy plan --certificate new-chain.pem --inventory agents.csv --profile appsettings.json",
        "certpolicy approvals list",
    ];

    /// <summary>Runs the command line <paramref name="args"/> and returns the exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        Command root = CreateRootCommand(environment);
        ParseResult parse = root.Parse(args);
        bool json = args.Contains("--json", StringComparer.Ordinal);
        if (parse.Action is ParseErrorAction)
        {
            string message = parse.Errors.Count > 0 ? parse.Errors[0].Message : "the command line is not valid.";
            await WriteErrorAsync(environment, json, "bad-arguments", $"{EndSentence(message)} See '{CommandPath(parse)} --help'.").ConfigureAwait(false);
            return ExitCodes.Error;
        }

        var configuration = new InvocationConfiguration
        {
            Output = environment.Output,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
        };
        if (!environment.HandlesProcessTermination)
        {
            configuration.ProcessTerminationTimeout = null;
        }

        try
        {
            return await parse.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            await WriteErrorAsync(environment, json, ex.Code, EndSentence(ex.Message)).ConfigureAwait(false);
            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            await WriteErrorAsync(environment, json, "cancelled", "cancelled.").ConfigureAwait(false);
            return ExitCodes.Error;
        }
#pragma warning disable CA1031 // The tool's promise: one line on standard error, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await WriteErrorAsync(environment, json, "unexpected", $"unexpected error ({ex.GetType().Name}): {EndSentence(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Error;
        }
    }

    /// <summary>The command tree, its actions writing to <paramref name="environment"/>.</summary>
    public static Command CreateRootCommand(CliEnvironment environment)
    {
        var root = new Command(Name, "See what CertPolicy agents will do with a server's certificate before you change a server or roll out agents.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        Command check = CheckCommand.Create(environment);
        Command inspect = InspectCommand.Create(environment);
        Command plan = PlanCommand.Create(environment);
        (Command approvals, Command list, Command forget) = ApprovalsCommand.Create(environment);
        root.Subcommands.Add(check);
        root.Subcommands.Add(inspect);
        root.Subcommands.Add(plan);
        root.Subcommands.Add(approvals);

        var examples = new Dictionary<Command, string[]>
        {
            [root] = RootExamples,
            [check] = CheckCommand.Examples,
            [inspect] = InspectCommand.Examples,
            [plan] = PlanCommand.Examples,
            [approvals] = ApprovalsCommand.Examples,
            [list] = ApprovalsCommand.ListExamples,
            [forget] = ApprovalsCommand.ForgetExamples,
        };
        PendingCommands.AddTo(approvals, environment, examples);
        ApprovalsAddCommand.AddTo(approvals, environment, examples);
        HelpOption help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamplesAction((HelpAction)help.Action!, examples);
        return root;
    }

    private static async Task WriteErrorAsync(CliEnvironment environment, bool json, string code, string message)
    {
        if (json)
        {
            var error = new Output.ErrorEnvelopeJson
            {
                Error = new Output.ErrorJson { Code = code, Message = message.ReplaceLineEndings(" "), ExitCode = ExitCodes.Error },
            };
            await environment.Output.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(error, Output.JsonReport.Context.ErrorEnvelopeJson)).ConfigureAwait(false);
            await environment.Output.FlushAsync().ConfigureAwait(false);
            return;
        }

        await environment.Error.WriteLineAsync($"{Name}: {Output.TerminalText.Clean(message.ReplaceLineEndings(" "))}").ConfigureAwait(false);
        await environment.Error.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>"certpolicy approvals list": the command the parse ended in.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult command)
            {
                names.Insert(0, command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }

    private static string EndSentence(string message)
    {
        string line = message.ReplaceLineEndings(" ").Trim();
        return line.EndsWith('.') || line.EndsWith('?') || line.EndsWith(')') ? line : line + ".";
    }
}
