using System.Text.Json;
using CertPolicy.Cli.Judging;
using CertPolicy.Cli.Output;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Cli.Tests.Output;

/// <summary>The report's layout, plain and terminal writers and JSON, from reports built by hand.</summary>
public sealed class ReportOutputTests
{
    private const string Sha256 = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly JudgedSource Source = new("check", "127.0.0.1:8443 (TLS 1.3, 2 certificates sent)", "127.0.0.1:8443", "127.0.0.1:8443", "TLS 1.3", 2);

    [Fact]
    public void A_valid_report_in_plain_text()
    {
        string text = Plain(Judgement(ValidationVerdict.Valid, legacy: null));

        Assert.Contains("Server       127.0.0.1:8443 (TLS 1.3, 2 certificates sent)\n", text, StringComparison.Ordinal);
        Assert.Contains("Judged for   ems.example.test:8443\n", text, StringComparison.Ordinal);
        Assert.Contains("Certificate\n  Subject      CN=ems.example.test\n", text, StringComparison.Ordinal);
        Assert.Contains($"  SHA-256      {Sha256}\n", text, StringComparison.Ordinal);
        Assert.Contains("  Names        ems.example.test, 10.0.0.5\n", text, StringComparison.Ordinal);
        Assert.Contains("\nModern verdict: VALID\n", text, StringComparison.Ordinal);
        Assert.Contains("\nLegacy verdict: not checked", text, StringComparison.Ordinal);
        Assert.Contains("\n  Action  Modern agents\n  ------  ", text, StringComparison.Ordinal);
        Assert.Contains("  Allow   connects silently\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
    }

    [Fact]
    public void Each_problem_is_listed_in_words_with_its_kind_and_certificate()
    {
        var modern = new ValidationVerdict([
            new CertificateProblem(CertificateProblemKinds.NameMismatch, 0, "CN=ems.example.test", "The certificate does not name ems.example.test."),
            new CertificateProblem(CertificateProblemKinds.UntrustedRoot, -1, null, "The path ends in a root that is not trusted."),
        ]);

        string text = Plain(Judgement(modern, legacy: null));

        Assert.Contains("Modern verdict: NOT VALID (2 problems)\n  - The certificate does not name ems.example.test. (NameMismatch; certificate 0, CN=ems.example.test)\n  - The path ends in a root that is not trusted. (UntrustedRoot)\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_legacy_verdict_names_the_expected_subject()
    {
        var legacy = new ValidationVerdict([new CertificateProblem(CertificateProblemKinds.SubjectMismatch, 0, "CN=x", "Legacy agents expect the subject common name 'EMS'.")]);

        string text = Plain(Judgement(ValidationVerdict.Valid, legacy, expectedSubject: "EMS"));

        Assert.Contains("Legacy verdict (subject common name 'EMS'): NOT VALID (1 problem)\n  - Legacy agents expect", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_come_last()
    {
        string text = Plain(Judgement(ValidationVerdict.Valid, legacy: null, warnings: ["The server's certificate expires in 3 days."]));

        Assert.EndsWith("\nWarning: The server's certificate expires in 3 days.\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminal_report_has_colours_and_a_table()
    {
        using var output = new StringWriter();
        var environment = new CliEnvironment(output, TextWriter.Null, new FakeTimeProvider(Now), outputIsTerminal: true, _ => null);

        ReportPrinter.Print(environment, Source, Judgement(ValidationVerdict.Valid, legacy: null), json: false, exitCode: 0);

        string text = output.ToString();
        Assert.Contains("\u001b[", text, StringComparison.Ordinal);
        Assert.Contains("╭", text, StringComparison.Ordinal);
        Assert.Contains("connects silently", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "1", false)]
    [InlineData(true, "", true)]
    [InlineData(false, null, false)]
    public void Rich_output_only_on_a_terminal_without_NO_COLOR(bool terminal, string? noColor, bool rich)
    {
        var environment = new CliEnvironment(TextWriter.Null, TextWriter.Null, TimeProvider.System, terminal, name => name == "NO_COLOR" ? noColor : null);

        Assert.Equal(rich, environment.UseRichOutput);
    }

    [Fact]
    public void Json_has_the_documented_fields()
    {
        var modern = new ValidationVerdict([new CertificateProblem(CertificateProblemKinds.Expired, 1, "CN=CA", "The issuer expired.")]);

        using JsonDocument json = Json(Judgement(modern, legacy: null));

        JsonElement root = json.RootElement;
        Assert.False(root.GetProperty("modern").GetProperty("valid").GetBoolean());
        JsonElement problem = Assert.Single(root.GetProperty("modern").GetProperty("problems").EnumerateArray());
        Assert.Equal("Expired", problem.GetProperty("kind").GetString());
        Assert.Equal(1, problem.GetProperty("position").GetInt32());
        Assert.Equal("CN=CA", problem.GetProperty("subject").GetString());
        Assert.Equal("The issuer expired.", problem.GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("legacy").GetProperty("valid").ValueKind);
        Assert.Equal("CN=ems.example.test", root.GetProperty("certificate").GetProperty("subject").GetString());
        Assert.Equal(Sha256, root.GetProperty("certificate").GetProperty("sha256").GetString());
        Assert.Equal(new DateTimeOffset(2026, 6, 4, 0, 0, 0, TimeSpan.Zero), root.GetProperty("certificate").GetProperty("notAfter").GetDateTimeOffset());
        Assert.Equal(2, root.GetProperty("certificate").GetProperty("daysUntilExpiry").GetInt32());
        Assert.Equal("ems.example.test:8443", root.GetProperty("identity").GetString());
        Assert.Equal("modern", root.GetProperty("mode").GetString());
        Assert.Equal("TLS 1.3", root.GetProperty("tls").GetString());
        Assert.Equal(3, root.GetProperty("exitCode").GetInt32());
        Assert.Equal("connects (allowed by policy)", root.GetProperty("actions").GetProperty("allow").GetProperty("description").GetString());
        Assert.Equal(2, root.GetProperty("path").GetArrayLength());
    }

    [Fact]
    public void Json_legacy_verdict_when_an_expected_subject_was_given()
    {
        using JsonDocument json = Json(Judgement(ValidationVerdict.Valid, ValidationVerdict.Valid, expectedSubject: "EMS"));

        JsonElement legacy = json.RootElement.GetProperty("legacy");
        Assert.True(legacy.GetProperty("valid").GetBoolean());
        Assert.Equal("EMS", legacy.GetProperty("expectedSubject").GetString());
        Assert.Empty(legacy.GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public void Control_characters_from_certificates_are_shown_escaped()
    {
        Assert.Equal("CN=a\\u001B[2Jb", TerminalText.Clean("CN=a\u001b[2Jb"));
        Assert.Equal("line\nnext\\u0007", TerminalText.Clean("line\nnext\a", keepNewLines: true));
        Assert.Equal("x\\u202Ey", TerminalText.Clean("x\u202Ey"));
    }

    private static Judgement Judgement(ValidationVerdict modern, ValidationVerdict? legacy, string? expectedSubject = null, IReadOnlyList<string>? warnings = null)
    {
        var leaf = new CertificateSummary(
            "CN=ems.example.test", "CN=Issuing CA", "01AB", Now.AddYears(-1), new DateTimeOffset(2026, 6, 4, 0, 0, 0, TimeSpan.Zero), Sha256, ["ems.example.test"], ["10.0.0.5"]);
        var issuer = new CertificateSummary("CN=Issuing CA", "CN=Root", "02", Now.AddYears(-2), Now.AddYears(5), Sha256, [], []);
        // Only a validator makes reports (the constructor is internal); the output tests need verdicts no real chain
        // gives, so they call that constructor.
        var report = (ValidationReport)typeof(ValidationReport)
            .GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)
            .Single(c => c.GetParameters().Length == 7)
            .Invoke([ValidationMode.Modern, ServerIdentity.Create("ems.example.test", 8443), modern, legacy, leaf, (IReadOnlyList<CertificateSummary>)[leaf, issuer], Now]);
        AgentOutcome[] actions = modern.IsValid
            ? [Outcome(InvalidCertificateAction.Allow, "connect", DecisionReason.Valid, "connects silently"), Outcome(InvalidCertificateAction.Warn, "connect", DecisionReason.Valid, "connects silently"), Outcome(InvalidCertificateAction.Deny, "connect", DecisionReason.Valid, "connects silently")]
            : [Outcome(InvalidCertificateAction.Allow, "connect", DecisionReason.AllowedByPolicy, "connects (allowed by policy)"), Outcome(InvalidCertificateAction.Warn, "ask", DecisionReason.NeedsUserAnswer, "prompts the user"), Outcome(InvalidCertificateAction.Deny, "refuse", DecisionReason.DeniedByPolicy, "refuses")];
        AgentProfile profile = AgentProfile.Load(JudgeSettings.Defaults with { ExpectedSubject = expectedSubject }, new FakeTimeProvider(Now));
        return new Judgement(report, leaf, null, actions, profile, null, warnings ?? [], []);
    }

    private static AgentOutcome Outcome(InvalidCertificateAction action, string outcome, DecisionReason reason, string description) =>
        new(AgentGeneration.Modern, action, outcome, reason, description, null);

    private static string Plain(Judgement judgement)
    {
        using var output = new StringWriter { NewLine = "\n" };
        PlainWriter.Write(output, ReportLayout.Build(Source, judgement));
        return output.ToString();
    }

    private static JsonDocument Json(Judgement judgement)
    {
        using var output = new StringWriter();
        JsonReport.Write(output, Source, judgement, judgement.ExitCode(FailOn.Verdict));
        return JsonDocument.Parse(output.ToString());
    }
}
