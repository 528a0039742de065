using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Decisions;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Profiles;

public sealed class EndpointProfileTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeLoggerProvider _logs = new();
    private readonly List<ServiceProvider> _providers = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SettingsFile => _directory.File("appsettings.json");

    private string ApprovalsFile => _directory.File("approvals.json");

    public void Dispose()
    {
        foreach (ServiceProvider provider in _providers)
        {
            provider.Dispose();
        }

        _logs.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public void Every_setting_binds_from_an_appsettings_file()
    {
        WriteSettings($$"""
            {
              "CertPolicy": {
                "Profiles": {
                  "Management": {
                    "Mode": "Legacy",
                    "ExpectedSubject": "EMS Server",
                    "InvalidCertificateAction": "Deny",
                    "TrustStore": "System",
                    "ClockSkew": "00:05:00",
                    "MaxChainDepth": 4,
                    "MaxSignatureChecks": 50,
                    "PromptTimeout": "00:00:45",
                    "ApprovalScope": "Issuer",
                    "ApprovalLifetime": "90.00:00:00",
                    "ApprovalsFile": {{Json(ApprovalsFile)}}
                  }
                }
              }
            }
            """);
        (IServiceProvider services, _) = Build();

        EndpointProfileOptions options = services.GetRequiredService<IOptionsMonitor<EndpointProfileOptions>>().Get("Management");
        CertificateDecisionEngine engine = services.GetRequiredService<EndpointProfileProvider>().GetEngine("Management");

        Assert.Equal(ValidationMode.Legacy, options.Mode);
        Assert.Equal("EMS Server", options.ExpectedSubject);
        Assert.Equal(TimeSpan.FromMinutes(5), options.ClockSkew);
        Assert.Equal(4, options.MaxChainDepth);
        Assert.Equal(50, options.MaxSignatureChecks);
        Assert.Equal("Management", engine.ProfileName);
        Assert.Equal(InvalidCertificateAction.Deny, engine.InvalidCertificateAction);
        Assert.Equal(TimeSpan.FromSeconds(45), engine.PromptTimeout);
        Assert.Equal(ApprovalScope.Issuer, engine.ApprovalScope);
        Assert.Equal(TimeSpan.FromDays(90), engine.ApprovalLifetime);
        Assert.Equal(ValidationMode.Legacy, engine.Validator.Mode);
        Assert.Equal("EMS Server", engine.Validator.ExpectedSubject);
        Assert.Same(TrustStore.System, engine.Validator.TrustStore);
        Assert.Equal(ApprovalsFile, Assert.IsType<FileApprovalStore>(engine.Approvals).FilePath);
    }

    [Fact]
    public void Report_only_mode_and_the_common_name_opt_in_bind_and_reach_the_validator()
    {
        WriteSettings($$"""
            { "CertPolicy": { "Profiles": { "Management": {
                "Mode": "ReportOnly",
                "ExpectedSubject": "EMS Server",
                "AcceptCommonNameWithoutSubjectAltName": true,
                "ApprovalsFile": {{Json(ApprovalsFile)}}
            } } } }
            """);
        (IServiceProvider services, _) = Build();

        CertificateDecisionEngine engine = services.GetRequiredService<EndpointProfileProvider>().GetEngine("Management");

        Assert.Equal(ValidationMode.ReportOnly, engine.Validator.Mode);
        Assert.Equal("EMS Server", engine.Validator.ExpectedSubject);
        Assert.True(engine.Validator.AcceptCommonNameWithoutSubjectAltName);
        Assert.False(new EndpointProfileOptions().AcceptCommonNameWithoutSubjectAltName);
    }

    [Fact]
    public void Distrusted_and_pre_approved_fingerprints_bind_and_reach_the_engine()
    {
        using X509Certificate2 distrusted = TestPki.CreateSelfSignedLeaf("Vendor Default", ["ems.example.test"]);
        using X509Certificate2 pinned = TestPki.CreateSelfSignedLeaf("Self-signed EMS", ["ems.example.test"]);
        string distrustedKey = "sha256//" + Convert.ToBase64String(SHA256.HashData(distrusted.PublicKey.ExportSubjectPublicKeyInfo()));
        string pinnedCertificate = pinned.GetCertHashString(HashAlgorithmName.SHA256);
        WriteSettings($$"""
            { "CertPolicy": { "Profiles": { "Management": {
                "InvalidCertificateAction": "Deny",
                "DistrustedFingerprints": [ {{Json(distrustedKey)}} ],
                "PreApprovedFingerprints": [ {{Json("ems.example.test=" + pinnedCertificate)}}, {{Json(distrustedKey)}} ],
                "ApprovalsFile": {{Json(ApprovalsFile)}}
            } } } }
            """);
        (IServiceProvider services, _) = Build();
        services.GetRequiredService<IStartupValidator>().Validate();
        CertificateDecisionEngine engine = services.GetRequiredService<EndpointProfileProvider>().GetEngine("Management");
        ServerIdentity server = ServerIdentity.Create("ems.example.test", 443);

        Assert.Equal(DecisionReason.Distrusted, engine.DecideWithoutPrompt([distrusted.RawData], server).Reason);
        Assert.Equal(DecisionReason.PreApproved, engine.DecideWithoutPrompt([pinned.RawData], server).Reason);
        Assert.Equal(DecisionReason.DeniedByPolicy, engine.DecideWithoutPrompt([pinned.RawData], ServerIdentity.Create("other.example.test", 443)).Reason);
    }

    [Fact]
    public void A_profile_that_leaves_settings_out_gets_the_safe_defaults_and_warns()
    {
        WriteSettings($$"""{ "CertPolicy": { "Profiles": { "Old": { "ApprovalsFile": {{Json(ApprovalsFile)}} } } } }""");
        (IServiceProvider services, _) = Build();
        services.GetRequiredService<IStartupValidator>().Validate();

        CertificateDecisionEngine engine = services.GetRequiredService<EndpointProfileProvider>().GetEngine("Old");

        Assert.Equal(InvalidCertificateAction.Warn, engine.InvalidCertificateAction);
        Assert.Equal(TimeSpan.FromMinutes(2), engine.PromptTimeout);
        Assert.Equal(ApprovalScope.Certificate, engine.ApprovalScope);
        Assert.Null(engine.ApprovalLifetime);
        Assert.Equal(ValidationMode.Modern, engine.Validator.Mode);
        Assert.Same(TrustStore.System, engine.Validator.TrustStore);
        Assert.False(engine.CanPrompt);
    }

    public static TheoryData<string, string> BadSettings => new()
    {
        { "\"PromptTimeout\": \"00:00:00\"", "PromptTimeout" },
        { "\"PromptTimeout\": \"2.00:00:00\"", "PromptTimeout" },
        { "\"InvalidCertificateAction\": \"Sometimes\"", "InvalidCertificateAction" },
        { "\"InvalidCertificateAction\": \"7\"", "InvalidCertificateAction" },
        { "\"InvalidCertificateActoin\": \"Deny\"", "InvalidCertificateActoin" },
        { "\"Mode\": \"Legacy\"", "ExpectedSubject" },
        { "\"Mode\": \"ReportOnly\"", "ExpectedSubject" },
        { "\"TrustStore\": \"\"", "TrustStore" },
        { "\"TrustStore\": \"System;no-such-roots.pem\"", "TrustStore" },
        { "\"ClockSkew\": \"2.00:00:00\"", "ClockSkew" },
        { "\"MaxChainDepth\": 99", "MaxChainDepth" },
        { "\"MaxSignatureChecks\": 0", "MaxSignatureChecks" },
        { "\"RevocationLists\": [ \"no-such.crl\" ]", "RevocationLists" },
        { "\"DistrustedFingerprints\": [ \"sha256//tooshort\" ]", "DistrustedFingerprints" },
        { "\"PreApprovedFingerprints\": [ \"ems.example.test:0=ABCD\" ]", "PreApprovedFingerprints" },
        { "\"ApprovalScope\": \"Everything\"", "ApprovalScope" },
        { "\"ApprovalLifetime\": \"00:00:30\"", "ApprovalLifetime" },
        { "\"ApprovalLifetime\": \"4000.00:00:00\"", "ApprovalLifetime" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Bad_settings_fail_at_start_naming_the_profile_and_the_setting(string setting, string name)
    {
        WriteSettings($$"""
            { "CertPolicy": { "Profiles": {
                "Good": { "ApprovalsFile": {{Json(ApprovalsFile)}} },
                "Management": { {{setting}}, "ApprovalsFile": {{Json(ApprovalsFile)}} }
            } } }
            """);
        (IServiceProvider services, _) = Build();

        Exception error = Assert.ThrowsAny<Exception>(services.GetRequiredService<IStartupValidator>().Validate);

        Assert.Contains("'Management'", error.Message, StringComparison.Ordinal);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'Good'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_approvals_file_that_is_a_folder_fails_at_start()
    {
        WriteSettings($$"""{ "CertPolicy": { "Profiles": { "Management": { "ApprovalsFile": {{Json(_directory.Path)}} } } } }""");
        (IServiceProvider services, _) = Build();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(services.GetRequiredService<IStartupValidator>().Validate);

        Assert.Contains("Endpoint profile 'Management', setting ApprovalsFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trust_stores_load_from_pem_files_and_folders_and_combine_with_the_system_roots()
    {
        using System.Security.Cryptography.X509Certificates.X509Certificate2 first = Support.TestPki.CreateRoot("Profile Root One");
        using System.Security.Cryptography.X509Certificates.X509Certificate2 second = Support.TestPki.CreateRoot("Profile Root Two");
        string bundle = _directory.File("roots.pem");
        string folder = Path.Combine(_directory.Path, "roots");
        Directory.CreateDirectory(folder);
        File.WriteAllText(bundle, Support.TestPki.ToPem(first));
        File.WriteAllText(Path.Combine(folder, "two.pem"), Support.TestPki.ToPem(second));
        WriteSettings($$"""
            { "CertPolicy": { "Profiles": {
                "File": { "TrustStore": {{Json(bundle)}}, "ApprovalsFile": {{Json(ApprovalsFile)}} },
                "Both": { "TrustStore": {{Json(bundle + ";" + folder)}}, "ApprovalsFile": {{Json(ApprovalsFile)}} }
            } } }
            """);
        (IServiceProvider services, _) = Build();
        services.GetRequiredService<IStartupValidator>().Validate();
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();

        TrustAnchors file = provider.GetEngine("File").Validator.TrustStore.GetAnchors();
        TrustAnchors both = provider.GetEngine("Both").Validator.TrustStore.GetAnchors();

        Assert.Equal(first.RawData, Assert.Single(file.Certificates).ToArray());
        Assert.Equal(2, both.Count);
    }

    [Fact]
    public void A_malformed_trust_store_fails_at_start_naming_the_profile_the_setting_and_the_file()
    {
        string bundle = _directory.File("broken.pem");
        File.WriteAllText(bundle, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        WriteSettings($$"""{ "CertPolicy": { "Profiles": { "Management": { "TrustStore": {{Json(bundle)}}, "ApprovalsFile": {{Json(ApprovalsFile)}} } } } }""");
        (IServiceProvider services, _) = Build();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(services.GetRequiredService<IStartupValidator>().Validate);

        Assert.Contains("Endpoint profile 'Management', setting TrustStore", error.Message, StringComparison.Ordinal);
        Assert.Contains(bundle, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Revocation_lists_load_as_der_or_pem_and_anything_else_fails_at_start()
    {
        using System.Security.Cryptography.X509Certificates.X509Certificate2 root = Support.TestPki.CreateRoot("CRL Root");
        byte[] crl = new System.Security.Cryptography.X509Certificates.CertificateRevocationListBuilder().Build(
            root, 1, Support.TestPki.DefaultNotAfter, System.Security.Cryptography.HashAlgorithmName.SHA256, thisUpdate: Support.TestPki.DefaultNotBefore);
        string der = _directory.File("root.crl");
        string pem = _directory.File("root-crl.pem");
        string junk = _directory.File("junk.crl");
        File.WriteAllBytes(der, crl);
        File.WriteAllText(pem, System.Security.Cryptography.PemEncoding.WriteString("X509 CRL", crl));
        File.WriteAllText(junk, "nothing to see");
        WriteSettings($$"""
            { "CertPolicy": { "Profiles": {
                "Good": { "RevocationLists": [ {{Json(der)}}, {{Json(pem)}} ], "ApprovalsFile": {{Json(ApprovalsFile)}} },
                "Bad": { "RevocationLists": [ {{Json(junk)}} ], "ApprovalsFile": {{Json(ApprovalsFile)}} }
            } } }
            """);
        (IServiceProvider services, _) = Build();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(services.GetRequiredService<IStartupValidator>().Validate);

        Assert.Equal("Bad", error.OptionsName);
        Assert.Contains("Endpoint profile 'Bad', setting RevocationLists", error.Message, StringComparison.Ordinal);
        Assert.Contains(junk, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_trust_store_paths_are_taken_from_the_application_folder()
    {
        WriteSettings($$"""{ "CertPolicy": { "Profiles": { "Management": { "TrustStore": "roots-that-do-not-exist.pem", "ApprovalsFile": {{Json(ApprovalsFile)}} } } } }""");
        (IServiceProvider services, _) = Build();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(services.GetRequiredService<IStartupValidator>().Validate);

        Assert.Contains(Path.Combine(AppContext.BaseDirectory, "roots-that-do-not-exist.pem"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_host_a_bad_profile_fails_when_the_provider_is_first_needed()
    {
        WriteSettings("""{ "CertPolicy": { "Profiles": { "Management": { "PromptTimeout": "-00:00:01" } } } }""");
        (IServiceProvider services, _) = Build();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(services.GetRequiredService<EndpointProfileProvider>);

        Assert.Contains("Endpoint profile 'Management', setting PromptTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_reload_applies_to_the_next_handshake()
    {
        WriteSettings(Profile("Warn", "00:02:00"));
        (IServiceProvider services, IConfigurationRoot configuration) = Build();
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();
        CertificateDecisionEngine before = provider.GetEngine("Management");

        WriteSettings(Profile("Deny", "00:02:00"));
        configuration.Reload();
        CertificateDecisionEngine after = provider.GetEngine("Management");

        Assert.Equal(InvalidCertificateAction.Warn, before.InvalidCertificateAction);
        Assert.Equal(InvalidCertificateAction.Deny, after.InvalidCertificateAction);
        Assert.Equal(DecisionReason.DeniedByPolicy, (await after.DecideAsync(Reports.Invalid(CertificateProblemKinds.UntrustedRoot), Ct)).Reason);
        Assert.Same(before.Approvals, after.Approvals);
        Assert.Contains(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4200);
    }

    [Fact]
    public void A_reload_that_changes_nothing_keeps_the_engine()
    {
        WriteSettings(Profile("Warn", "00:02:00"));
        (IServiceProvider services, IConfigurationRoot configuration) = Build();
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();
        CertificateDecisionEngine before = provider.GetEngine("Management");

        configuration.Reload();

        Assert.Same(before, provider.GetEngine("Management"));
        Assert.DoesNotContain(_logs.Collector.GetSnapshot(), r => r.Id.Id is 4200 or 4201);
    }

    [Fact]
    public void A_bad_reload_keeps_the_last_good_policy_and_a_later_good_one_applies()
    {
        WriteSettings(Profile("Warn", "00:02:00"));
        (IServiceProvider services, IConfigurationRoot configuration) = Build();
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();
        CertificateDecisionEngine good = provider.GetEngine("Management");

        WriteSettings(Profile("Allow", "00:00:00"));
        ReloadWithBadSettings(configuration);
        CertificateDecisionEngine afterBad = provider.GetEngine("Management");
        WriteSettings(Profile("Perhaps", "00:01:00"));
        ReloadWithBadSettings(configuration);
        CertificateDecisionEngine afterUnbindable = provider.GetEngine("Management");
        WriteSettings(Profile("Deny", "00:01:00"));
        configuration.Reload();
        CertificateDecisionEngine afterGood = provider.GetEngine("Management");

        Assert.Same(good, afterBad);
        Assert.Same(good, afterUnbindable);
        Assert.Equal(InvalidCertificateAction.Deny, afterGood.InvalidCertificateAction);
        FakeLogRecord[] rejected = [.. _logs.Collector.GetSnapshot().Where(r => r.Id.Id == 4201)];
        Assert.Equal(2, rejected.Length);
        Assert.All(rejected, r => Assert.Equal(LogLevel.Error, r.Level));
        Assert.Contains("PromptTimeout", rejected[0].Exception!.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidCertificateAction", rejected[1].Exception!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reload_whose_trust_store_file_became_garbage_keeps_the_last_good_profile_and_logs_why()
    {
        using System.Security.Cryptography.X509Certificates.X509Certificate2 root = Support.TestPki.CreateRoot("Reload Root");
        string bundle = _directory.File("roots.pem");
        File.WriteAllText(bundle, Support.TestPki.ToPem(root));
        WriteSettings($$"""{ "CertPolicy": { "Profiles": { "Management": { "TrustStore": {{Json(bundle)}}, "ApprovalsFile": {{Json(ApprovalsFile)}} } } } }""");
        (IServiceProvider services, IConfigurationRoot configuration) = Build();
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();
        CertificateDecisionEngine good = provider.GetEngine("Management");

        File.WriteAllText(bundle, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        ReloadWithBadSettings(configuration);
        CertificateDecisionEngine afterGarbage = provider.GetEngine("Management");

        Assert.Same(good, afterGarbage);
        Assert.Equal(root.RawData, Assert.Single(afterGarbage.Validator.TrustStore.GetAnchors().Certificates).ToArray());
        FakeLogRecord rejected = Assert.Single(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4201);
        Assert.True(rejected.Level >= LogLevel.Warning);
        Assert.Contains("Endpoint profile Management", rejected.Message, StringComparison.Ordinal);
        Assert.Contains("setting TrustStore", rejected.Message, StringComparison.Ordinal);
        Assert.Contains(bundle, rejected.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4200);
    }

    [Fact]
    public async Task Engines_ask_the_registered_prompt_and_remember_in_the_profile_file()
    {
        WriteSettings(Profile("Warn", "00:02:00"));
        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        (IServiceProvider services, _) = Build(s => s.AddSingleton<ICertificatePrompt>(prompt));
        CertificateDecisionEngine engine = services.GetRequiredService<EndpointProfileProvider>().GetEngine("Management");

        CertificateDecision decision = await engine.DecideAsync(Reports.Invalid(CertificateProblemKinds.UntrustedRoot), Ct);

        Assert.Equal(DecisionReason.ApprovedByUser, decision.Reason);
        Assert.Equal(1, prompt.Calls);
        Assert.NotNull(new FileApprovalStore(ApprovalsFile).Find(Reports.Server, CertificateFingerprint.Parse(Reports.Leaf.Sha256Fingerprint)));
    }

    [Fact]
    public async Task A_prompt_keyed_by_the_profile_name_is_preferred()
    {
        WriteSettings($$"""
            { "CertPolicy": { "Profiles": {
                "Management": { "ApprovalsFile": {{Json(ApprovalsFile)}} },
                "Updates": { "ApprovalsFile": {{Json(ApprovalsFile)}} }
            } } }
            """);
        var general = TestPrompt.Answering(PromptAnswer.Deny);
        var forUpdates = TestPrompt.Answering(PromptAnswer.Allow);
        (IServiceProvider services, _) = Build(s => s.AddSingleton<ICertificatePrompt>(general).AddKeyedSingleton<ICertificatePrompt>("Updates", forUpdates));
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();

        await provider.GetEngine("Updates").DecideAsync(Reports.Invalid(CertificateProblemKinds.Expired), Ct);
        await provider.GetEngine("Management").DecideAsync(Reports.Invalid(CertificateProblemKinds.NameMismatch), Ct);

        Assert.Equal(1, forUpdates.Calls);
        Assert.Equal(1, general.Calls);
    }

    [Fact]
    public void Profiles_are_found_regardless_of_case_and_unknown_names_are_refused()
    {
        WriteSettings(Profile("Warn", "00:02:00"));
        (IServiceProvider services, _) = Build();
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();

        Assert.Same(provider.GetEngine("Management"), provider.GetEngine("MANAGEMENT"));
        Assert.Equal(["Management"], provider.ProfileNames);
        ArgumentException error = Assert.Throws<ArgumentException>(() => provider.GetEngine("Nope"));
        Assert.Contains("Management", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Profiles_naming_the_same_approvals_file_share_one_store()
    {
        string other = _directory.File("other.json");
        WriteSettings($$"""
            { "CertPolicy": { "Profiles": {
                "A": { "ApprovalsFile": {{Json(ApprovalsFile)}} },
                "B": { "ApprovalsFile": {{Json(ApprovalsFile)}} },
                "C": { "ApprovalsFile": {{Json(other)}} }
            } } }
            """);
        (IServiceProvider services, _) = Build();
        EndpointProfileProvider provider = services.GetRequiredService<EndpointProfileProvider>();

        Assert.Same(provider.GetEngine("A").Approvals, provider.GetEngine("B").Approvals);
        Assert.NotSame(provider.GetEngine("A").Approvals, provider.GetEngine("C").Approvals);
    }

    [Fact]
    public async Task Profiles_can_be_configured_in_code()
    {
        var time = new FakeTimeProvider(Support.TestPki.Now);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddCertPolicy(policy => policy.AddProfile("Lab", options =>
            {
                options.InvalidCertificateAction = InvalidCertificateAction.Allow;
                options.ApprovalsFile = ApprovalsFile;
            }))
            .Services
            .BuildServiceProvider();
        _providers.Add(services);
        services.GetRequiredService<IStartupValidator>().Validate();

        CertificateDecisionEngine engine = services.GetRequiredService<EndpointProfileProvider>().GetEngine("lab");

        Assert.Same(time, engine.TimeProvider);
        Assert.Equal(DecisionReason.AllowedByPolicy, (await engine.DecideAsync(Reports.Invalid(CertificateProblemKinds.Expired), Ct)).Reason);
    }

    /// <summary>
    /// Reloads settings that are not valid. IOptionsMonitor (which ValidateOnStart and the provider use) re-reads
    /// every profile when the configuration changes and, as it does for every validated options type, lets the
    /// validation error escape into whatever triggered the reload; the provider must stay unaffected.
    /// </summary>
    private static void ReloadWithBadSettings(IConfigurationRoot configuration)
    {
        AggregateException error = Assert.ThrowsAny<AggregateException>(configuration.Reload);
        Assert.All(error.Flatten().InnerExceptions, e => Assert.IsType<OptionsValidationException>(e));
    }

    private static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private string Profile(string action, string promptTimeout) => $$"""
        { "CertPolicy": { "Profiles": { "Management": {
            "InvalidCertificateAction": "{{action}}",
            "PromptTimeout": "{{promptTimeout}}",
            "ApprovalsFile": {{Json(ApprovalsFile)}}
        } } } }
        """;

    private void WriteSettings(string json) => File.WriteAllText(SettingsFile, json);

    private (IServiceProvider Services, IConfigurationRoot Configuration) Build(Action<IServiceCollection>? configure = null)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonFile(SettingsFile, optional: false, reloadOnChange: false).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(_logs));
        services.AddCertPolicy(configuration.GetSection("CertPolicy"));
        configure?.Invoke(services);
        ServiceProvider provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return (provider, configuration);
    }
}
