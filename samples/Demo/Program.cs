using System.Net;
using CertPolicy.Samples.Demo;
using CertPolicy.Samples.EmsClient;
using CertPolicy.Samples.EmsServer;

// The whole story on loopback, no outside network: a management server on 127.0.0.1 and an agent that
// connects to it under different profiles, while the administrator switches the server's certificate.
Console.WriteLine("CertPolicy demo: a management server on 127.0.0.1 and its agents, over TLS 1.3");
Console.WriteLine();

using var pki = new DemoPki();
string approvals = Path.Combine(pki.Folder, "approvals.json");
ServerFiles good = pki.IssueServer("ems", "ems.example.test", [DemoPki.ServerName], [IPAddress.Loopback]);
ServerFiles renewed = pki.IssueServer("ems-renewed", "ems.example.test", [DemoPki.ServerName]);
ServerFiles expired = pki.IssueServer("ems-expired", "ems.example.test", [DemoPki.ServerName], notBefore: DateTimeOffset.UtcNow.AddDays(-400), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
ServerFiles wrongName = pki.IssueServer("other", "other.example.test", ["other.example.test"]);
ServerFiles untrusted = pki.IssueUntrusted("untrusted", "ems.example.test", [DemoPki.ServerName]);
ServerFiles commonNameOnly = pki.IssueServer("ems-cn-only", DemoPki.ServerName, []);

await using ManagementServer server = ManagementServer.StartWithVendorDefault(port: 0);
string address = $"127.0.0.1:{server.Port}";
string[] modern = ["--server", address, "--server-name", DemoPki.ServerName, "--trust", pki.TrustPath];
string[] remembered = [.. modern, "--approvals", approvals];
string headlessApprovals = Path.Combine(pki.Folder, "headless-approvals.json");
string[] headless = [.. modern, "--headless", "--approvals", headlessApprovals];

var scenarios = new List<Scenario>
{
    new("Server on its own certificate: valid, action warn", () => server.PresentPemFiles(good.CertificatePath, good.KeyPath), [.. modern, "--action", "warn"], "Connect (Valid)"),
    new("Valid certificate, action deny: still connects silently", null, [.. modern, "--action", "deny"], "Connect (Valid)"),
    new("Connect by IP address (certificate names 127.0.0.1)", null, ["--server", address, "--server-name", "127.0.0.1", "--trust", pki.TrustPath], "Connect (Valid)"),
    new("Setting switched off: vendor default certificate, action allow", server.PresentVendorDefault, [.. modern, "--action", "allow"], "Connect (AllowedByPolicy)"),
    new("Vendor default, action deny", null, [.. modern, "--action", "deny"], "Refuse (DeniedByPolicy)"),
    new("Vendor default, action warn, headless agent (no one to ask)", null, [.. remembered, "--action", "warn"], "Refuse (NoPrompt)"),
    new("Vendor default, action warn, user denies", null, [.. remembered, "--answer", "deny"], "Refuse (DeniedByUser)"),
    new("Vendor default, warn: asked again after a denial; user allows", null, [.. remembered, "--answer", "allow"], "Connect (ApprovedByUser)"),
    new("Vendor default, warn: next connection is silent", null, [.. remembered], "Connect (RememberedApproval)"),
    new("New certificate on the approved server (expired one): asks again", () => server.PresentPemFiles(expired.CertificatePath, expired.KeyPath), [.. remembered, "--answer", "deny"], "Refuse (DeniedByUser)"),
    new("Wrong name, action allow", () => server.PresentPemFiles(wrongName.CertificatePath, wrongName.KeyPath), [.. modern, "--action", "allow"], "Connect (AllowedByPolicy)"),
    new("Untrusted root, action deny", () => server.PresentPemFiles(untrusted.CertificatePath, untrusted.KeyPath), [.. modern, "--action", "deny"], "Refuse (DeniedByPolicy)"),
    new("Legacy agent, server on the vendor default certificate", server.PresentVendorDefault, [.. modern, "--mode", "legacy", "--expected-subject", "EMS Default Certificate", "--action", "deny"], "Connect (Valid)"),
    new("Upgrade trap: server switched to a real certificate, legacy agent", () => server.PresentPemFiles(renewed.CertificatePath, renewed.KeyPath), [.. modern, "--mode", "legacy", "--expected-subject", "EMS Default Certificate", "--action", "deny"], "Refuse (DeniedByPolicy)"),
    new("Same switch, modern agent", null, [.. modern, "--action", "deny"], "Connect (Valid)"),
    new("Vendor default pre-approved by key (--pin sha256//...), action deny", server.PresentVendorDefault, [.. modern, "--action", "deny", "--pin", VendorDefaultCertificate.PublicKeySha256], "Connect (PreApproved)"),
    new("Self-signed server pinned for this server only (--pin HOST=SHA256)", null, [.. modern, "--action", "warn", "--pin", $"{DemoPki.ServerName}={VendorDefaultCertificate.CertificateSha256}"], "Connect (PreApproved)"),
    new("Distrusted vendor default, action allow", null, [.. modern, "--action", "allow", "--distrust", VendorDefaultCertificate.CertificateSha256], "Refuse (Distrusted)"),
    new("Distrusted vendor default, warn, approved before and pinned", null, [.. remembered, "--answer", "allow", "--pin", VendorDefaultCertificate.PublicKeySha256, "--distrust", VendorDefaultCertificate.PublicKeySha256], "Refuse (Distrusted)"),
    // The same agent over HTTPS (--http): IHttpClientFactory with UseCertPolicy, against the same server port and certificates.
    new("HTTP: server on its own certificate, valid, action deny", () => server.PresentPemFiles(good.CertificatePath, good.KeyPath), [.. modern, "--http", "--action", "deny"], "Connect (Valid)"),
    new("HTTP: expired certificate, action deny", () => server.PresentPemFiles(expired.CertificatePath, expired.KeyPath), [.. modern, "--http", "--action", "deny"], "Refuse (DeniedByPolicy)"),
    new("HTTP: vendor default, action allow", server.PresentVendorDefault, [.. modern, "--http", "--action", "allow"], "Connect (AllowedByPolicy)"),
    new("HTTP: vendor default, warn, headless agent (no one to ask)", null, [.. modern, "--http", "--action", "warn"], "Refuse (NoPrompt)"),
    new("HTTP: vendor default, warn, approval remembered over TLS above", null, [.. remembered, "--http"], "Connect (RememberedApproval)"),
    new("HTTP: new approvals file, warn: asked over TLS first, user allows", null, [.. modern, "--http", "--approvals", Path.Combine(pki.Folder, "approvals-http.json"), "--answer", "allow"], "Connect (ApprovedByUser)"),
    new("HTTP: the next request is silent", null, [.. modern, "--http", "--approvals", Path.Combine(pki.Folder, "approvals-http.json")], "Connect (RememberedApproval)"),
    // Report-only migration mode and the CN-only opt-in (issue 17).
    new("Report-only agent, vendor default, deny: connects, would refuse", server.PresentVendorDefault, [.. modern, "--mode", "report-only", "--expected-subject", "EMS Default Certificate", "--action", "deny"], "Connect (Valid); would Refuse"),
    new("Report-only agent, vendor default, warn: connects, would prompt", null, [.. modern, "--mode", "report-only", "--expected-subject", "EMS Default Certificate", "--action", "warn"], "Connect (Valid); would Prompt"),
    new("Report-only agent, expired certificate, deny: counted would-refuse", () => server.PresentPemFiles(expired.CertificatePath, expired.KeyPath), [.. modern, "--mode", "report-only", "--expected-subject", DemoPki.ServerName, "--action", "deny"], "Connect (Valid); would Refuse"),
    new("Report-only agent, valid certificate: nothing to fix", () => server.PresentPemFiles(good.CertificatePath, good.KeyPath), [.. modern, "--mode", "report-only", "--expected-subject", DemoPki.ServerName, "--action", "deny"], "Connect (Valid); would Connect"),
    new("CN-only certificate (no subjectAltName), modern agent, deny", () => server.PresentPemFiles(commonNameOnly.CertificatePath, commonNameOnly.KeyPath), [.. modern, "--action", "deny"], "Refuse (DeniedByPolicy)"),
    new("CN-only certificate, agent opted in (--accept-cn-only)", null, [.. modern, "--action", "deny", "--accept-cn-only"], "Connect (Valid)"),
    new("CN-only certificate, report-only agent without the opt-in", null, [.. modern, "--mode", "report-only", "--expected-subject", DemoPki.ServerName, "--action", "deny"], "Connect (Valid); would Refuse"),
    // Unattended agents and the TLS floor (issue 17).
    new("Headless agent (--headless), vendor default, warn: question kept", server.PresentVendorDefault, [.. headless], "Refuse (NoPrompt)"),
    new("Question answered by 'certpolicy approvals approve': agent connects", () => AnswerWithTool("approve", address, VendorDefaultCertificate.CertificateSha256, headlessApprovals), [.. headless], "Connect (RememberedApproval)"),
    new("Agent with --min-tls 1.3, server on its own certificate", () => server.PresentPemFiles(good.CertificatePath, good.KeyPath), [.. modern, "--action", "deny", "--min-tls", "1.3"], "Connect (Valid)"),
};

// Renewals under each approval scope (issue 16): each scope keeps its approvals in a file of its own.
ServerFiles selfSigned = pki.IssueSelfSigned("self-signed", "ems.example.test", [DemoPki.ServerName]);
ServerFiles selfSignedRenewed = pki.IssueSelfSigned("self-signed-renewed", "ems.example.test", [DemoPki.ServerName], keyOf: selfSigned);
ServerFiles privateFirst = pki.IssuePrivate("EMS Private CA", "private-1", "ems.example.test", [DemoPki.ServerName]);
ServerFiles privateRenewed = pki.IssuePrivate("EMS Private CA", "private-2", "ems.example.test", [DemoPki.ServerName]);
ServerFiles otherIssuer = pki.IssuePrivate("EMS Other CA", "other-ca", "ems.example.test", [DemoPki.ServerName]);
string[] byCertificate = [.. modern, "--approvals", Path.Combine(pki.Folder, "approvals-certificate.json"), "--approval-scope", "certificate"];
string[] byKey = [.. modern, "--approvals", Path.Combine(pki.Folder, "approvals-key.json"), "--approval-scope", "key"];
string[] byIssuer = [.. modern, "--approvals", Path.Combine(pki.Folder, "approvals-issuer.json"), "--approval-scope", "issuer"];
scenarios.AddRange(
[
    new("Self-signed server, warn: user approves (certificate scope)", () => server.PresentPemFiles(selfSigned.CertificatePath, selfSigned.KeyPath), [.. byCertificate, "--answer", "allow"], "Connect (ApprovedByUser)"),
    new("Same server, another agent approves under key scope", null, [.. byKey, "--answer", "allow"], "Connect (ApprovedByUser)"),
    new("Server renews keeping its key: key scope connects silently", () => server.PresentPemFiles(selfSignedRenewed.CertificatePath, selfSignedRenewed.KeyPath), byKey, "Connect (RememberedApproval)"),
    new("Same renewal, certificate scope: asks again (user denies)", null, [.. byCertificate, "--answer", "deny"], "Refuse (DeniedByUser)"),
    new("Private-CA server, warn: user approves under issuer scope", () => server.PresentPemFiles(privateFirst.CertificatePath, privateFirst.KeyPath), [.. byIssuer, "--answer", "allow"], "Connect (ApprovedByUser)"),
    new("Renewed by the same CA with a new key: issuer scope is silent", () => server.PresentPemFiles(privateRenewed.CertificatePath, privateRenewed.KeyPath), byIssuer, "Connect (RememberedApproval)"),
    new("Same renewal, key scope (new key): asks (headless: refused)", null, byKey, "Refuse (NoPrompt)"),
    new("Renewed by another CA: issuer scope asks (user denies)", () => server.PresentPemFiles(otherIssuer.CertificatePath, otherIssuer.KeyPath), [.. byIssuer, "--answer", "deny"], "Refuse (DeniedByUser)"),
    new("HTTP: report-only agent, vendor default, deny: would refuse", server.PresentVendorDefault, [.. modern, "--http", "--mode", "report-only", "--expected-subject", "EMS Default Certificate", "--action", "deny"], "Connect (Valid); would Refuse"),
]);

Console.WriteLine($"{"#",-3}{"scenario",-68}{"expected",-32}{"actual",-32}");
int failures = 0;
for (int i = 0; i < scenarios.Count; i++)
{
    Scenario scenario = scenarios[i];
    scenario.ServerChange?.Invoke();
    var output = new StringWriter();
    var error = new StringWriter();
    int exitCode = await Agent.RunAsync(scenario.AgentArguments, output, error, console: null);
    string actual = DecisionOf(output.ToString(), exitCode, error.ToString());
    bool ok = actual == scenario.Expected;
    failures += ok ? 0 : 1;
    Console.WriteLine($"{i + 1,-3}{scenario.Name,-68}{scenario.Expected,-32}{actual,-32}{(ok ? "ok" : "MISMATCH")}");
    if (!ok)
    {
        Console.WriteLine(Indent(output.ToString() + error.ToString()));
    }
}

Console.WriteLine();
Console.WriteLine(failures == 0
    ? $"All {scenarios.Count} scenarios behaved as expected. Handshakes the server completed: {server.CompletedHandshakes}."
    : $"{failures} of {scenarios.Count} scenarios did not behave as expected.");
return failures == 0 ? 0 : 1;

static string DecisionOf(string output, int exitCode, string error)
{
    // The agent prints "decision    Connect (Valid): ...".
    foreach (string line in output.Split('\n'))
    {
        if (line.StartsWith("decision", StringComparison.Ordinal))
        {
            string rest = line["decision".Length..].Trim();
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            string decision = colon > 0 ? rest[..colon] : rest;
            bool connected = exitCode == Agent.Connected;
            decision = decision.StartsWith("Connect", StringComparison.Ordinal) == connected ? decision : $"{decision} but exit {exitCode}";

            // A report-only agent also prints "would       Refuse (DeniedByPolicy) under modern validation: ...": the
            // table shows the would-be outcome (the agent's output has the reason).
            foreach (string wouldLine in output.Split('\n'))
            {
                if (wouldLine.StartsWith("would ", StringComparison.Ordinal))
                {
                    string would = wouldLine["would".Length..].Trim();
                    int space = would.IndexOf(' ', StringComparison.Ordinal);
                    return $"{decision}; would {(space > 0 ? would[..space] : would)}";
                }
            }

            return decision;
        }
    }

    return $"exit {exitCode}: {error.Split('\n')[0].Trim()}";
}

// The administrator answers a headless agent's question with the certpolicy tool (run in process here).
static void AnswerWithTool(string answer, string address, string sha256, string approvalsFile)
{
    string server = $"{DemoPki.ServerName}:{address[(address.LastIndexOf(':') + 1)..]}";
    var output = new StringWriter();
    var error = new StringWriter();
    var environment = new CertPolicy.Cli.CliEnvironment(output, error, TimeProvider.System, outputIsTerminal: false, Environment.GetEnvironmentVariable);
    int exitCode = CertPolicy.Cli.CertPolicyCli.RunAsync(["approvals", answer, server, "--sha256", sha256, "--approvals", approvalsFile], environment).GetAwaiter().GetResult();
    if (exitCode != 0)
    {
        Console.WriteLine($"     certpolicy approvals {answer} exited with {exitCode}: {error.ToString().Trim()}");
    }
}

static string Indent(string text) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "     " + l));

internal sealed record Scenario(string Name, Action? ServerChange, string[] AgentArguments, string Expected);
