using System.CommandLine;
using System.Security.Authentication;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;
using CertPolicy.Cli.Tls;

namespace CertPolicy.Cli.Commands;

/// <summary><c>certpolicy check HOST[:PORT]</c>: connect, take the chain the server presents, and judge it.</summary>
internal static class CheckCommand
{
    public const int DefaultPort = 443;
    public const int DefaultTimeoutSeconds = 10;

    public static readonly string[] Examples =
    [
        "certpolicy check ems.example.com:8443",
        "certpolicy check ems.example.com:8443 --trust company-roots.pem --expected-subject EMS",
        "certpolicy check 10.0.0.5:8443 --server-name ems.example.com --approvals /var/lib/agent/approvals.json",
        "certpolicy check ems.example.com --json | jq .modern",
    ];

    public static Command Create(CliEnvironment environment)
    {
        var target = new Argument<string>("HOST[:PORT]")
        {
            Description = "The server to connect to: a DNS name or an IP address ([::1] for IPv6), and a port (default 443).",
        };
        var options = new JudgementOptions(serverNameRequired: false);
        var timeout = new Option<int>("--timeout")
        {
            HelpName = "SECONDS",
            DefaultValueFactory = _ => DefaultTimeoutSeconds,
            CustomParser = ParseTimeout,
            Description = "How long to wait for the connection and the TLS handshake, 1 to 300.",
        };

        var command = new Command("check", "Connect to a TLS server, take the certificates it presents (trusting none of them), and show what agents will do with them: the modern and legacy verdicts with every problem, what Allow, Warn and Deny would do, and the certificate's details. Exit code 0: valid; 3: not valid; 1: error.");
        command.Arguments.Add(target);
        options.AddTo(command);
        command.Options.Add(timeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new JudgeSettings(parse.GetValue(options.Trust), parse.GetValue(options.ExpectedSubject), parse.GetValue(options.Approvals));
            return await RunAsync(
                environment,
                parse.GetRequiredValue(target),
                parse.GetValue(options.ServerName),
                settings,
                TimeSpan.FromSeconds(parse.GetValue(timeout)),
                parse.GetValue(options.Json),
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        CliEnvironment environment,
        string target,
        string? serverName,
        JudgeSettings settings,
        TimeSpan timeout,
        bool json,
        CancellationToken cancellationToken)
    {
        if (!ServerIdentity.TryParse(target, DefaultPort, out ServerIdentity? endpoint, out string? error))
        {
            throw new CliException($"'{target}' is not a valid HOST[:PORT]: {error}");
        }

        ServerIdentity identity = endpoint;
        if (serverName is not null && !ServerIdentity.TryParse(serverName, endpoint.Port, out identity!, out error))
        {
            throw new CliException($"--server-name '{serverName}' is not a valid NAME[:PORT]: {error}");
        }

        // Everything that can fail on the command line's input fails before connecting.
        var judge = Judge.Create(settings, environment.TimeProvider);
        PresentedCertificates presented = await ServerCertificateFetcher
            .FetchAsync(endpoint.Host, endpoint.Port, identity.Host, timeout, cancellationToken)
            .ConfigureAwait(false);
        Judgement judgement = judge.Run(presented.Certificates, identity);

        string protocol = DescribeProtocol(presented.Protocol);
        string where = endpoint.ToString();
        string count = presented.Certificates.Count == 1 ? "1 certificate" : $"{presented.Certificates.Count} certificates";
        string remote = presented.RemoteEndPoint?.ToString() ?? where;
        var source = new JudgedSource(
            "check",
            remote == where ? $"{where} ({protocol}, {count} sent)" : $"{where} at {remote} ({protocol}, {count} sent)",
            where,
            remote,
            protocol,
            presented.Certificates.Count);
        ReportPrinter.Print(environment, source, judgement, json);
        return judgement.ExitCode;
    }

    private static int ParseTimeout(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds) && seconds is >= 1 and <= 300)
        {
            return seconds;
        }

        result.AddError($"--timeout must be a whole number of seconds from 1 to 300, not '{text}'.");
        return DefaultTimeoutSeconds;
    }

    private static string DescribeProtocol(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };
}
