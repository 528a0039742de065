using System.CommandLine;
using CertPolicy.Cli.Judging;

namespace CertPolicy.Cli.Commands;

/// <summary>The options check, inspect and plan share: the agents' profile, settings over it, and how to print.</summary>
internal sealed class JudgementOptions
{
    public JudgementOptions()
    {
        Profile = new Option<string>("--profile")
        {
            HelpName = "appsettings.json[:NAME]",
            Description = "Judge with an agent's own endpoint profile, read from its settings file exactly as the library binds it (CertPolicy:Profiles:NAME; NAME may be left out when there is one). Relative paths in the file are taken from the file's folder. The options below override it.",
        };
        Trust = new Option<string[]>("--trust")
        {
            HelpName = "STORE",
            Description = "Trusted roots, in the profile's TrustStore syntax: System, a PEM file or a folder of PEM files, several separated by ';'. Repeatable. Default: the profile's, else System.",
            Arity = ArgumentArity.OneOrMore,
        };
        Crl = new Option<string[]>("--crl")
        {
            HelpName = "FILE",
            Description = "A certificate revocation list (DER or PEM) to check the path against, added to the profile's. Repeatable.",
            Arity = ArgumentArity.OneOrMore,
        };
        ClockSkew = new Option<string>("--clock-skew")
        {
            HelpName = "DURATION",
            Description = "How far the agents' clocks may be off (such as 5m or 00:05:00; at most 1d). Default: the profile's, else none.",
        };
        At = new Option<string>("--at")
        {
            HelpName = "TIME",
            Description = "Judge as if it were then: an ISO 8601 time (2027-01-15T12:00:00Z) or a time from now (+30d, -2h).",
        };
        ExpectedSubject = new Option<string>("--expected-subject")
        {
            HelpName = "CN",
            Description = "The subject common name legacy agents expect: adds legacy agents beside modern ones. Default: the profile's.",
        };
        Approvals = new Option<string>("--approvals")
        {
            HelpName = "FILE",
            Description = "An agents' approvals file: shows whether a remembered approval applies under Warn. Default: the profile's ApprovalsFile when it names one.",
        };
        Json = new Option<bool>("--json")
        {
            Description = "Print one JSON object instead of the report (errors too, as {\"error\": {...}}).",
        };
    }

    public Option<string> Profile { get; }

    public Option<string[]> Trust { get; }

    public Option<string[]> Crl { get; }

    public Option<string> ClockSkew { get; }

    public Option<string> At { get; }

    public Option<string> ExpectedSubject { get; }

    public Option<string> Approvals { get; }

    public Option<bool> Json { get; }

    public void AddTo(Command command)
    {
        AddJudgingTo(command);
        command.Options.Add(Approvals);
        command.Options.Add(Json);
    }

    /// <summary>
    /// Only the options that say how to judge (--profile, --trust, --crl, --clock-skew, --at, --expected-subject), for
    /// a command whose --approvals and --json mean something else (approvals add).
    /// </summary>
    public void AddJudgingTo(Command command)
    {
        command.Options.Add(Profile);
        command.Options.Add(Trust);
        command.Options.Add(Crl);
        command.Options.Add(ClockSkew);
        command.Options.Add(At);
        command.Options.Add(ExpectedSubject);
    }

    /// <summary>The settings the command line gives.</summary>
    /// <exception cref="CliException">--clock-skew or --at cannot be read.</exception>
    public JudgeSettings Settings(ParseResult parse, CliEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        TimeSpan? skew = null;
        if (parse.GetValue(ClockSkew) is { } skewText)
        {
            skew = TimeArguments.TryParseDuration(skewText, out TimeSpan parsed)
                ? parsed
                : throw new CliException($"--clock-skew '{skewText}' is not a duration: give one such as 30s, 5m or 00:05:00.") { Code = "bad-arguments" };
        }

        DateTimeOffset? at = parse.GetValue(At) is { } atText ? TimeArguments.ParseInstant(atText, environment.TimeProvider.GetUtcNow()) : null;
        return new JudgeSettings(
            parse.GetValue(Profile),
            parse.GetValue(Trust) ?? [],
            parse.GetValue(Crl) ?? [],
            skew,
            parse.GetValue(ExpectedSubject),
            parse.CommandResult.Command.Options.Contains(Approvals) ? parse.GetValue(Approvals) : null,
            at);
    }

    /// <summary>--fail-on, for check and inspect.</summary>
    public static Option<FailOn> CreateFailOn() => new("--fail-on")
    {
        HelpName = "modern|legacy|any",
        Description = "Exit 4 when some agents of this generation would not connect silently (would prompt or refuse) under the profile's action (every action without --profile), instead of exiting by the verdict (3 when not valid).",
        DefaultValueFactory = _ => FailOn.Verdict,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            switch (text.ToLowerInvariant())
            {
                case "modern":
                    return FailOn.Modern;
                case "legacy":
                    return FailOn.Legacy;
                case "any":
                    return FailOn.Any;
                default:
                    result.AddError($"--fail-on must be modern, legacy or any, not '{text}'.");
                    return FailOn.Verdict;
            }
        },
    };
}
