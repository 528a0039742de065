using System.CommandLine;
using System.Security.Authentication;
using CertPolicy.Cli.Certificates;
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
        "certpolicy check ems.example.com:8443 --trust \"System;company-roots.pem\" --expected-subject EMS --fail-on any",
        "certpolicy check ems.example.com:8443 --profile /opt/agent/appsettings.json:Management --at +30d",
        "certpolicy check 10.0.0.5:8443 --server-name ems.example.com --save-chain presented.pem",
        "certpolicy check ems.example.com --json | jq .agents",
    ];

    public static Command Create(CliEnvironment environment)
    {
        var target = new Argument<string>("HOST[:PORT]")
        {
            Description = "The server to connect to: a DNS name or an IP address ([::1] for IPv6), and a port (default 443).",
        };
        var serverName = new Option<string>("--server-name")
        {
            HelpName = "NAME[:PORT]",
            Description = "The server name (and port) agents use, when it is not the HOST[:PORT] connected to; also sent as SNI.",
        };
        var options = new JudgementOptions();
        Option<FailOn> failOn = JudgementOptions.CreateFailOn();
        var saveChain = new Option<string>("--save-chain")
        {
            HelpName = "FILE.pem",
            Description = "Also write the certificates the server presented, in its order, to this PEM file (for inspect later).",
        };
        var timeout = new Option<int>("--timeout")
        {
            HelpName = "SECONDS",
            DefaultValueFactory = _ => DefaultTimeoutSeconds,
            CustomParser = ParseTimeout,
            Description = "How long to wait for the connection and the TLS handshake, 1 to 300.",
        };

        var command = new Command("check", "Connect to a TLS server, take the certificates it presents (trusting none of them), and show what agents will do with them: modern and legacy agents under Allow, Warn and Deny, both verdicts with every problem, and the certificate's details. Exit code 0: valid; 3: not valid; 4: with --fail-on, some agents would not connect silently; 1: error.");
        command.Arguments.Add(target);
        command.Options.Add(serverName);
        options.AddTo(command);
        command.Options.Add(failOn);
        command.Options.Add(saveChain);
        command.Options.Add(timeout);
        command.SetAction(async (parse, cancellationToken) =>
        {
            JudgeSettings settings = options.Settings(parse, environment);
            return await RunAsync(
                environment,
                parse.GetRequiredValue(target),
                parse.GetValue(serverName),
                settings,
                parse.GetValue(failOn),
                parse.GetValue(saveChain),
                TimeSpan.FromSeconds(parse.GetValue(timeout)),
                parse.GetValue(options.Json),
                cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Fails before connecting when --fail-on legacy is asked and legacy agents cannot be judged.</summary>
    public static void CheckFailOn(FailOn failOn, Judge judge)
    {
        ArgumentNullException.ThrowIfNull(judge);
        if (failOn == FailOn.Legacy && !judge.JudgesLegacy)
        {
            throw new CliException("--fail-on legacy needs legacy agents: give --expected-subject CN, or a --profile with an ExpectedSubject.") { Code = "bad-arguments" };
        }
    }

    private static async Task<int> RunAsync(
        CliEnvironment environment,
        string target,
        string? serverName,
        JudgeSettings settings,
        FailOn failOn,
        string? saveChain,
        TimeSpan timeout,
        bool json,
        CancellationToken cancellationToken)
    {
        if (!ServerIdentity.TryParse(target, DefaultPort, out ServerIdentity? endpoint, out string? error))
        {
            throw new CliException($"'{target}' is not a valid HOST[:PORT]: {error}") { Code = "bad-arguments" };
        }

        ServerIdentity identity = endpoint;
        if (serverName is not null && !ServerIdentity.TryParse(serverName, endpoint.Port, out identity!, out error))
        {
            throw new CliException($"--server-name '{serverName}' is not a valid NAME[:PORT]: {error}") { Code = "bad-arguments" };
        }

        // Everything that can fail on the command line's input fails before connecting.
        var judge = Judge.Create(settings, environment.TimeProvider);
        CheckFailOn(failOn, judge);
        FetchedCertificates presented = await ServerCertificateFetcher
            .FetchAsync(endpoint.Host, endpoint.Port, identity.Host, timeout, cancellationToken)
            .ConfigureAwait(false);
        string? saved = saveChain is null ? null : PemChainWriter.Write(saveChain, presented.Certificates);
        Judgement judgement = judge.Run(presented.Certificates, identity);
        if (!TlsVersions.Meets(presented.Protocol, judge.Profile.MinimumTlsVersion))
        {
            // The tool offers TLS 1.2 and 1.3 whatever the profile says, so that it can still show the certificate.
            string refusal = $"Agents of profile '{judge.Profile.Name}' refuse this server before judging its certificate: it negotiated {TlsVersions.Name(presented.Protocol)}, and the profile requires {TlsVersions.FloorText(judge.Profile.MinimumTlsVersion)} (MinimumTlsVersion: {judge.Profile.MinimumTlsVersion}).";
            judgement = judgement.WithTlsVersionRefusal(refusal);
        }


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
            presented.Certificates.Count)
        {
            CipherSuite = presented.CipherSuite.ToString(),
            SavedChain = saved,
        };
        int exitCode = judgement.ExitCode(failOn);
        ReportPrinter.Print(environment, source, judgement, json, exitCode);
        return exitCode;
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
