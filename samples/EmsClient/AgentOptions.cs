using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace CertPolicy.Samples.EmsClient;

/// <summary>The agent's command line. These flags are a contract: scripts and the demo rely on them.</summary>
internal sealed class AgentOptions
{
    public const string Usage = """
        usage: EmsClient --server HOST:PORT [options]
          --server HOST:PORT          the management server to connect to
          --server-name NAME          the identity the agent expects (default: HOST)
          --trust FILE.pem            trust these roots (default: the operating system's roots)
          --mode modern|legacy|report-only
                                      validation mode (default: modern); report-only connects by the
                                      legacy rule and prints what modern validation would do
          --expected-subject CN       the subject common name legacy agents expect
          --accept-cn-only            accept a DNS name found only in the subject CN of a certificate
                                      without subjectAltName (reported as NameOnlyInCommonName)
          --action allow|warn|deny    what to do with an invalid certificate (default: warn)
          --approvals FILE            where remembered approvals live (default: in memory only)
          --answer allow|deny         scripted answer to the Warn prompt (default: ask on the console,
                                      or refuse when there is no console)
          --pin FINGERPRINT           pre-approve a certificate (SHA-256 hex) or key (sha256//BASE64),
                                      optionally HOST[:PORT]=FINGERPRINT; repeatable
          --distrust FINGERPRINT      never trust this certificate (SHA-256 hex) or key (sha256//BASE64),
                                      under any action; repeatable
          --http                      talk HTTPS (GET /api/v1/licence) through IHttpClientFactory with
                                      UseCertPolicy; every other flag applies the same way
          --headless                  no prompt even when a console is present (a service): questions are
                                      recorded beside the --approvals file for 'certpolicy approvals approve'
          --min-tls 1.2|1.3           the oldest TLS version to accept (default: what the platform negotiates)
          --approval-scope certificate|key|issuer
                                      what a new approval covers: the exact certificate (default),
                                      renewals with the same key, or renewals from the same issuer key
        exit codes: 0 connected, 2 refused, 1 bad arguments, 4 could not connect
        """;

    public required string Host { get; init; }

    public required int Port { get; init; }

    public required string ServerName { get; init; }

    public string? TrustPath { get; init; }

    public ValidationMode Mode { get; init; }

    public string? ExpectedSubject { get; init; }

    public bool AcceptCommonNameOnly { get; init; }

    public InvalidCertificateAction Action { get; init; } = InvalidCertificateAction.Warn;

    public string? ApprovalsPath { get; init; }

    public PromptAnswer? ScriptedAnswer { get; init; }

    public IReadOnlyList<string> Pins { get; init; } = [];

    public IReadOnlyList<string> Distrusted { get; init; } = [];

    public bool Http { get; init; }

    public bool Headless { get; init; }

    public TlsVersionFloor MinimumTlsVersion { get; init; }
    public ApprovalScope ApprovalScope { get; init; } = ApprovalScope.Certificate;

    public static bool TryParse(string[] args, [NotNullWhen(true)] out AgentOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        string? server = null, serverName = null, trust = null, expectedSubject = null, approvals = null;
        ValidationMode mode = ValidationMode.Modern;
        InvalidCertificateAction action = InvalidCertificateAction.Warn;
        PromptAnswer? answer = null;
        var pins = new List<string>();
        var distrusted = new List<string>();
        bool http = false;
        bool acceptCommonNameOnly = false;
        bool headless = false;
        TlsVersionFloor minimumTls = TlsVersionFloor.Platform;
        ApprovalScope approvalScope = ApprovalScope.Certificate;
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            if (flag == "--http")
            {
                http = true;
                continue;
            }

            if (flag == "--accept-cn-only")
            {
                acceptCommonNameOnly = true;
                continue;
            }

            if (flag == "--headless")
            {
                headless = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{flag} needs a value.";
                return false;
            }

            string value = args[++i];
            switch (flag)
            {
                case "--server": server = value; break;
                case "--server-name": serverName = value; break;
                case "--trust": trust = value; break;
                case "--expected-subject": expectedSubject = value; break;
                case "--approvals": approvals = value; break;
                case "--pin": pins.Add(value); break;
                case "--distrust": distrusted.Add(value); break;
                case "--approval-scope" when value is "certificate": approvalScope = ApprovalScope.Certificate; break;
                case "--approval-scope" when value is "key": approvalScope = ApprovalScope.PublicKey; break;
                case "--approval-scope" when value is "issuer": approvalScope = ApprovalScope.Issuer; break;
                case "--mode" when value is "modern": mode = ValidationMode.Modern; break;
                case "--mode" when value is "legacy": mode = ValidationMode.Legacy; break;
                case "--mode" when value is "report-only": mode = ValidationMode.ReportOnly; break;
                case "--action" when value is "allow": action = InvalidCertificateAction.Allow; break;
                case "--action" when value is "warn": action = InvalidCertificateAction.Warn; break;
                case "--action" when value is "deny": action = InvalidCertificateAction.Deny; break;
                case "--answer" when value is "allow": answer = PromptAnswer.Allow; break;
                case "--answer" when value is "deny": answer = PromptAnswer.Deny; break;
                case "--min-tls" when value is "1.2": minimumTls = TlsVersionFloor.Tls12; break;
                case "--min-tls" when value is "1.3": minimumTls = TlsVersionFloor.Tls13; break;
                default:
                    error = $"unexpected argument '{flag} {value}'.";
                    return false;
            }
        }

        if (server is null)
        {
            error = "--server HOST:PORT is required.";
            return false;
        }

        int colon = server.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(server.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            error = $"--server '{server}' is not HOST:PORT with a port from 1 to 65535.";
            return false;
        }

        string host = server[..colon].Trim('[', ']');
        if (mode is ValidationMode.Legacy or ValidationMode.ReportOnly && string.IsNullOrWhiteSpace(expectedSubject))
        {
            error = $"--mode {(mode == ValidationMode.Legacy ? "legacy" : "report-only")} needs --expected-subject.";
            return false;
        }

        if (headless && answer is not null)
        {
            error = "--headless means no one answers: it cannot go with --answer.";
            return false;
        }

        options = new AgentOptions
        {
            Host = host,
            Port = port,
            ServerName = serverName ?? host,
            TrustPath = trust,
            Mode = mode,
            ExpectedSubject = expectedSubject,
            AcceptCommonNameOnly = acceptCommonNameOnly,
            Action = action,
            ApprovalsPath = approvals,
            ScriptedAnswer = answer,
            Pins = pins,
            Distrusted = distrusted,
            Http = http,
            Headless = headless,
            MinimumTlsVersion = minimumTls,
            ApprovalScope = approvalScope,
        };
        error = null;
        return true;
    }
}
