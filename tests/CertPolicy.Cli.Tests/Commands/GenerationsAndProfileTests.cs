using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CertPolicy.Cli.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Cli.Tests.Commands;

/// <summary>Every agent generation in every verdict, --fail-on, and --profile agreeing with the library's engine.</summary>
public sealed class GenerationsAndProfileTests : IClassFixture<GenerationsAndProfileTests.Fixture>
{
    private const string LegacySubject = "EMS Server";
    private readonly TestChain _chain;

    public GenerationsAndProfileTests(Fixture fixture)
    {
        _chain = fixture.Chain;
    }

    [Fact]
    public async Task A_legacy_failing_certificate_shows_legacy_agents_refusing_beside_modern_agents_connecting()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--expected-subject", LegacySubject);

        // Modern agents connect, so the verdict (modern) is valid and, without --fail-on, the exit code says so.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Legacy verdict (subject common name 'EMS Server'): NOT VALID", result.Output, StringComparison.Ordinal);
        Assert.Contains("  Action  Modern agents      Legacy agents\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  Allow   connects silently  connects (allowed by policy)\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  Warn    connects silently  asks the user\n", result.Output, StringComparison.Ordinal);
        Assert.Contains("  Deny    connects silently  refuses\n", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminal_shows_both_generations_in_one_coloured_table()
    {
        CliResult result = await CliRun.RunAsync(
            ["inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--expected-subject", LegacySubject],
            terminal: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\u001b[", result.Output, StringComparison.Ordinal);
        Assert.Contains("Modern agents", result.Output, StringComparison.Ordinal);
        Assert.Contains("Legacy agents", result.Output, StringComparison.Ordinal);
        Assert.Contains(_chain.LeafSha256, result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 0)]
    [InlineData("modern", 0)]
    [InlineData("legacy", 4)]
    [InlineData("any", 4)]
    public async Task Fail_on_names_the_generation_whose_agents_must_connect_silently(string? failOn, int exitCode)
    {
        await using LoopbackTlsServer server = _chain.StartServer();
        List<string> args = ["check", server.Address, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--expected-subject", LegacySubject, "--json"];
        if (failOn is not null)
        {
            args.AddRange(["--fail-on", failOn]);
        }

        CliResult result = await CliRun.RunAsync([.. args]);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement agents = json.RootElement.GetProperty("agents");
        Assert.Equal("connect", agents.GetProperty("modern").GetProperty("deny").GetProperty("outcome").GetString());
        Assert.Equal("refuse", agents.GetProperty("legacy").GetProperty("deny").GetProperty("outcome").GetString());
        Assert.Equal("ask", agents.GetProperty("legacy").GetProperty("warn").GetProperty("outcome").GetString());
        Assert.Equal("connect", agents.GetProperty("legacy").GetProperty("allow").GetProperty("outcome").GetString());
        Assert.Equal(exitCode, json.RootElement.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Fail_on_legacy_judges_the_profile_action_only_when_a_profile_file_is_given()
    {
        using var folder = new TempFolder();
        string settings = WriteSettings(folder, "Management", new() { ["TrustStore"] = _chain.RootPem, ["ExpectedSubject"] = LegacySubject, ["InvalidCertificateAction"] = "Allow" });

        CliResult allow = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--profile", settings, "--fail-on", "legacy");
        CliResult deny = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--profile", settings + ":management", "--fail-on", "legacy", "--json");

        // Legacy agents with Allow connect despite the subject mismatch.
        Assert.True(allow.ExitCode == 0, allow.ToString());
        Assert.Contains("  Allow *  connects silently  connects (allowed by policy)\n", allow.Output, StringComparison.Ordinal);
        Assert.Contains("*: the profile's action (Allow).", allow.Output, StringComparison.Ordinal);
        Assert.True(deny.ExitCode == 0, deny.ToString());
        using JsonDocument json = JsonDocument.Parse(deny.Output);
        Assert.Equal("Allow", json.RootElement.GetProperty("profile").GetProperty("invalidCertificateAction").GetString());
        Assert.Equal("Management", json.RootElement.GetProperty("profile").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Check_says_when_the_profile_refuses_the_servers_tls_version_before_judging_its_certificate()
    {
        using var folder = new TempFolder();
        string tls13 = WriteSettings(folder, "Management", new() { ["TrustStore"] = _chain.RootPem, ["MinimumTlsVersion"] = "Tls13" });
        await using LoopbackTlsServer tls12Only = _chain.StartServer(System.Security.Authentication.SslProtocols.Tls12);

        CliResult text = await CliRun.RunAsync("check", tls12Only.Address, "--server-name", TestChain.ServerName, "--profile", tls13, "--fail-on", "modern");
        CliResult json = await CliRun.RunAsync("check", tls12Only.Address, "--server-name", TestChain.ServerName, "--profile", tls13, "--fail-on", "modern", "--json");
        CliResult verdictOnly = await CliRun.RunAsync("check", tls12Only.Address, "--server-name", TestChain.ServerName, "--profile", tls13);

        // The certificate is valid, but agents of the profile never get to judge it: the tool says so and fails.
        Assert.True(text.ExitCode == 4, text.ToString());
        Assert.Contains("it negotiated TLS 1.2, and the profile requires TLS 1.3 (MinimumTlsVersion: Tls13)", text.Output, StringComparison.Ordinal);
        Assert.True(json.ExitCode == 4, json.ToString());
        Assert.Contains("MinimumTlsVersion: Tls13", json.Output, StringComparison.Ordinal);

        // Without --fail-on the exit code is the certificate's verdict, as documented; the warning is still shown.
        Assert.True(verdictOnly.ExitCode == 0, verdictOnly.ToString());
        Assert.Contains("it negotiated TLS 1.2", verdictOnly.Output, StringComparison.Ordinal);

        // The same server under a profile without a floor: nothing to say.
        string platform = WriteSettings(folder, "Management", new() { ["TrustStore"] = _chain.RootPem });
        CliResult plain = await CliRun.RunAsync("check", tls12Only.Address, "--server-name", TestChain.ServerName, "--profile", platform, "--fail-on", "modern");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.DoesNotContain("MinimumTlsVersion", plain.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_only_profile_shows_what_modern_validation_would_do_beside_the_legacy_decision()
    {
        using var folder = new TempFolder();
        string settings = WriteSettings(folder, "Management", new() { ["TrustStore"] = _chain.RootPem, ["Mode"] = "ReportOnly", ["ExpectedSubject"] = LegacySubject, ["InvalidCertificateAction"] = "Deny" });

        CliResult text = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--profile", settings);
        CliResult json = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--profile", settings, "--json");

        // The legacy rule refuses (another subject), and decides, as in legacy mode: the verdict is not valid (exit 3).
        // Modern validation would connect: the fix is to switch modes.
        Assert.True(text.ExitCode == 3, text.ToString());
        Assert.Contains("refuses; modern validation would connect (Valid)", text.Output, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json.Output);
        Assert.Equal("report-only", document.RootElement.GetProperty("profile").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task A_profile_that_accepts_a_name_only_in_the_common_name_shows_it_as_accepted_not_as_a_problem()
    {
        using var optInFolder = new TempFolder();
        using var defaultFolder = new TempFolder();
        using X509Certificate2 leaf = TestPki.CreateLeaf(_chain.Intermediate, [], commonName: TestChain.ServerName, includeSan: false);
        string chain = optInFolder.WriteText("cn-only.pem", TestPki.ToPem(leaf, _chain.Intermediate));
        string optIn = WriteSettings(optInFolder, "Agent", new() { ["TrustStore"] = _chain.RootPem, ["AcceptCommonNameWithoutSubjectAltName"] = true });
        string byDefault = WriteSettings(defaultFolder, "Agent", new() { ["TrustStore"] = _chain.RootPem });

        CliResult accepted = await CliRun.RunAsync("inspect", chain, "--server-name", TestChain.ServerName, "--profile", optIn);
        CliResult refused = await CliRun.RunAsync("inspect", chain, "--server-name", TestChain.ServerName, "--profile", byDefault);

        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Contains("Modern verdict: VALID", accepted.Output, StringComparison.Ordinal);
        Assert.Contains("Accepted by the profile: ", accepted.Output, StringComparison.Ordinal);
        Assert.Contains("(NameOnlyInCommonName; certificate 0", accepted.Output, StringComparison.Ordinal);
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("(NameMismatch; certificate 0", refused.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Accepted by the profile", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fail_on_legacy_without_an_expected_subject_is_an_error_before_connecting()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        CliResult result = await CliRun.RunAsync("check", server.Address, "--trust", _chain.RootPem, "--fail-on", "legacy");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("--expected-subject", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task A_profile_with_two_trust_stores_and_a_crl_agrees_with_the_library_engine_on_the_same_chains()
    {
        using var folder = new TempFolder();

        // A second PKI with names of its own, trusted through a folder, whose CRL revokes its leaf.
        using X509Certificate2 otherRoot = TestPki.CreateRoot("Other Root");
        using X509Certificate2 otherIntermediate = TestPki.CreateIntermediate(otherRoot, "Other Intermediate");
        using X509Certificate2 otherLeaf = TestPki.CreateLeaf(otherIntermediate, [TestChain.ServerName]);
        string rootsB = Path.Combine(folder.Path, "roots-b");
        Directory.CreateDirectory(rootsB);
        File.WriteAllText(Path.Combine(rootsB, "root-b.pem"), TestPki.ToPem(otherRoot));
        string otherChain = folder.WriteText("other-chain.pem", TestPki.ToPem(otherLeaf, otherIntermediate));
        string crl = folder.WriteBytes("b.crl", TestPki.CreateCrl(otherIntermediate, [otherLeaf]));

        // With CRLs configured, every certificate's issuer must have one (fail closed): empty ones for the others.
        string[] others =
        [
            folder.WriteBytes("b-root.crl", TestPki.CreateCrl(otherRoot)),
            folder.WriteBytes("a-root.crl", TestPki.CreateCrl(_chain.Root)),
            folder.WriteBytes("a.crl", TestPki.CreateCrl(_chain.Intermediate)),
        ];
        string settings = WriteSettings(folder, "Management", new()
        {
            ["TrustStore"] = $"{_chain.RootPem};{rootsB}",
            ["RevocationLists"] = (string[])[crl, .. others],
            ["InvalidCertificateAction"] = "Deny",
            ["ExpectedSubject"] = TestChain.ServerName,
        });
        CertificateDecisionEngine engine = LibraryEngine(settings, "Management");
        (string File, ReadOnlyMemory<byte>[] Der)[] chains =
        [
            (_chain.ChainPem, TestPki.Der(_chain.Leaf, _chain.Intermediate)),
            (otherChain, TestPki.Der(otherLeaf, otherIntermediate)),
        ];

        foreach ((string file, ReadOnlyMemory<byte>[] der) in chains)
        {
            CertificateDecision decision = engine.DecideWithoutPrompt(der, ServerIdentity.Create(TestChain.ServerName));
            ValidationReport expected = decision.Report;

            CliResult result = await CliRun.RunAsync("inspect", file, "--server-name", TestChain.ServerName, "--profile", settings + ":Management", "--json");

            using JsonDocument json = JsonDocument.Parse(result.Output);
            JsonElement root = json.RootElement;
            Assert.Equal(expected.Modern.IsValid, root.GetProperty("modern").GetProperty("valid").GetBoolean());
            Assert.Equal(
                [.. expected.Modern.Problems.Select(p => p.Kind.ToString())],
                root.GetProperty("modern").GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("kind").GetString()!).ToArray());
            Assert.Equal(decision.ShouldConnect ? "connect" : "refuse", root.GetProperty("agents").GetProperty("modern").GetProperty("deny").GetProperty("outcome").GetString());
            Assert.Equal(decision.Reason.ToString(), root.GetProperty("agents").GetProperty("modern").GetProperty("deny").GetProperty("reason").GetString());
            Assert.Equal(expected.IsValid ? 0 : 3, result.ExitCode);
        }

        // The two chains are told apart: the first through the first store, the second revoked by the CRL.
        ValidationReport first = engine.DecideWithoutPrompt(chains[0].Der, ServerIdentity.Create(TestChain.ServerName)).Report;
        Assert.True(first.IsValid, string.Join(" ", first.Modern.Problems.Select(p => p.Message)));
        ValidationReport revoked = engine.DecideWithoutPrompt(chains[1].Der, ServerIdentity.Create(TestChain.ServerName)).Report;
        Assert.Contains(revoked.Modern.Problems, p => p.Kind == CertificateProblemKinds.Revoked);
    }

    [Fact]
    public async Task Relative_paths_in_a_profile_file_are_taken_from_its_folder()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "trust"));
        File.Copy(_chain.RootPem, Path.Combine(folder.Path, "trust", "root.pem"));
        string settings = WriteSettings(folder, "Agent", new() { ["TrustStore"] = "trust/root.pem" });

        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--profile", settings);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(Path.Combine(folder.Path, "trust", "root.pem"), result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_profile_fails_with_the_library_validation_errors()
    {
        using var folder = new TempFolder();
        string settings = WriteSettings(folder, "Agent", new() { ["TrustStore"] = _chain.RootPem, ["ClockSkew"] = "2.00:00:00", ["PromptTimout"] = "00:01:00" });
        OptionsValidationException library = Assert.Throws<OptionsValidationException>(() => LibraryEngine(settings, "Agent"));

        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--profile", settings);

        Assert.True(result.ExitCode == 1, result.ToString());
        string line = Assert.Single(result.ErrorLines);
        Assert.NotEmpty(library.Failures);
        foreach (string failure in library.Failures)
        {
            Assert.Contains(failure.ReplaceLineEndings(" ").Trim(), line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Trust_is_repeatable_and_takes_the_profile_syntax()
    {
        using var other = new TestChain();

        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", $"System;{other.RootPem}", "--trust", _chain.RootPem, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Contains("operating system", json.RootElement.GetProperty("trustStore").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_judges_at_another_instant_absolute_or_relative()
    {
        CliResult later = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--at", "+3650d", "--json");
        CliResult absolute = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--at", "2027-01-15T00:00:00Z", "--json");
        CliResult bad = await CliRun.RunAsync("inspect", _chain.ChainPem, "--at", "next week");

        Assert.True(later.ExitCode == 3, later.ToString());
        using JsonDocument laterJson = JsonDocument.Parse(later.Output);
        Assert.Equal(TestPki.Now.AddDays(3650), laterJson.RootElement.GetProperty("validatedAt").GetDateTimeOffset());
        Assert.Contains(laterJson.RootElement.GetProperty("modern").GetProperty("problems").EnumerateArray(), p => p.GetProperty("kind").GetString() == "Expired");
        Assert.True(absolute.ExitCode == 0, absolute.ToString());
        using JsonDocument absoluteJson = JsonDocument.Parse(absolute.Output);
        Assert.Equal(new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero), absoluteJson.RootElement.GetProperty("validatedAt").GetDateTimeOffset());
        Assert.True(bad.ExitCode == 1, bad.ToString());
        Assert.Contains("--at 'next week'", Assert.Single(bad.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clock_skew_lets_a_certificate_not_yet_valid_by_minutes_pass_and_crl_revokes()
    {
        using var folder = new TempFolder();
        string crl = folder.WriteBytes("chain.crl", TestPki.CreateCrl(_chain.Intermediate, [_chain.Leaf]));
        DateTimeOffset justBefore = TestPki.DefaultNotBefore.AddMinutes(-3);

        CliResult strict = await CliRun.RunAsync(["inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem], now: justBefore);
        CliResult skewed = await CliRun.RunAsync(["inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--clock-skew", "5m"], now: justBefore);
        CliResult revoked = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", TestChain.ServerName, "--trust", _chain.RootPem, "--crl", crl);

        Assert.True(strict.ExitCode == 3, strict.ToString());
        Assert.True(skewed.ExitCode == 0, skewed.ToString());
        Assert.True(revoked.ExitCode == 3, revoked.ToString());
        Assert.Contains("Revoked", revoked.Output, StringComparison.Ordinal);
    }

    private static CertificateDecisionEngine LibraryEngine(string settingsFile, string profile)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonFile(settingsFile, optional: false, reloadOnChange: false).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(TestPki.Now));
        services.AddCertPolicy(configuration.GetSection("CertPolicy"));
        using ServiceProvider provider = services.BuildServiceProvider();
        return provider.GetRequiredService<EndpointProfileProvider>().GetEngine(profile);
    }

    /// <summary>An agent's appsettings.json with one profile under CertPolicy:Profiles.</summary>
    internal static string WriteSettings(TempFolder folder, string profile, Dictionary<string, object> settings)
    {
        var document = new Dictionary<string, object>
        {
            ["Logging"] = new Dictionary<string, object> { ["LogLevel"] = new Dictionary<string, string> { ["Default"] = "Information" } },
            ["CertPolicy"] = new Dictionary<string, object> { ["Profiles"] = new Dictionary<string, object> { [profile] = settings } },
        };
        return folder.WriteText("appsettings.json", JsonSerializer.Serialize(document));
    }

    /// <summary>One chain for the class.</summary>
    public sealed class Fixture : IDisposable
    {
        public TestChain Chain { get; } = new();

        public void Dispose() => Chain.Dispose();
    }
}
