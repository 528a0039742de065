using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Decisions;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// The fast path of <see cref="HandshakePolicy"/>: repeated decisions come from the cache (the engine's decisions
/// meter does not move), and every change the decision depended on sends the next handshake down the full path.
/// </summary>
public sealed class HandshakeFastPathTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static ServerIdentity Server { get; } = ServerIdentity.Create(HandshakePki.Host, 8443);

    [Fact]
    public async Task Repeated_handshakes_over_TLS_are_answered_from_the_cache_without_deciding_again()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.Valid);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var identity = ServerIdentity.Create(HandshakePki.Host, server.Port);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(TlsClient.Message, (await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port)).Echo);
        }

        Assert.Equal(1, agent.FullDecisions);
        Assert.Equal(1, agent.Policy.CachedDecisionCount);
    }

    [Theory]
    [InlineData(InvalidCertificateAction.Allow, "expired", true, "allowed_by_policy")]
    [InlineData(InvalidCertificateAction.Deny, "expired", false, "denied_by_policy")]
    [InlineData(InvalidCertificateAction.Deny, "valid", true, "valid")]
    public void Decisions_that_need_no_one_are_cached(InvalidCertificateAction action, string kind, bool connects, string reason)
    {
        using var agent = new Agent(action);

        bool first = Handshake(agent.Policy, Server, HandshakePki.Of(kind));
        bool second = Handshake(agent.Policy, Server, HandshakePki.Of(kind));

        Assert.Equal(connects, first);
        Assert.Equal(connects, second);
        Assert.Equal(reason, agent.LastReason);
        Assert.Equal(1, agent.FullDecisions);
        Assert.Equal(1, agent.Policy.CachedDecisionCount);
    }

    [Fact]
    public void A_refusal_that_waits_for_the_user_is_not_cached()
    {
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt());

        Assert.False(Handshake(agent.Policy, Server, HandshakePki.Expired));
        Assert.False(Handshake(agent.Policy, Server, HandshakePki.Expired));

        Assert.Equal(2, agent.FullDecisions);
        Assert.Equal("needs_user_answer", agent.LastReason);
        Assert.Equal(0, agent.Policy.CachedDecisionCount);
    }

    [Fact]
    public async Task A_remembered_approval_is_cached_and_forgetting_it_asks_again()
    {
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow, PromptAnswer.Deny));
        await ApproveAsync(agent, Server, HandshakePki.Expired);
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Expired));
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Expired));
        Assert.Equal("remembered_approval", agent.LastReason);
        int decided = agent.FullDecisions;

        Assert.True(await agent.Approvals.ForgetAsync(Server, CertificateFingerprint.Parse(Sha256(HandshakePki.Expired)), TestContext.Current.CancellationToken));

        Assert.False(Handshake(agent.Policy, Server, HandshakePki.Expired));
        Assert.Equal("needs_user_answer", agent.LastReason);
        Assert.Equal(decided + 1, agent.FullDecisions);
        CertificateDecision asked = await DecideWithPromptAsync(agent, Server, HandshakePki.Expired);
        Assert.Equal(DecisionReason.DeniedByUser, asked.Reason);
        Assert.Equal(2, agent.Prompt.Calls);
    }

    [Fact]
    public async Task An_approval_another_process_forgets_in_the_shared_file_is_not_honoured_from_the_cache()
    {
        string file = _directory.File("approvals.json");
        var mine = new FileApprovalStore(file);
        var theirs = new FileApprovalStore(file);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow), approvals: mine);
        await ApproveAsync(agent, Server, HandshakePki.UntrustedRoot);
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));
        Assert.Equal(1, agent.Policy.CachedDecisionCount);

        // The other process: a second agent, or `certpolicy approvals forget`.
        Assert.True(await theirs.ForgetAsync(Server, CertificateFingerprint.Parse(Sha256(HandshakePki.UntrustedRoot)), TestContext.Current.CancellationToken));

        Assert.False(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));
        Assert.Equal("needs_user_answer", agent.LastReason);
    }

    [Fact]
    public async Task An_approvals_file_replaced_by_a_damaged_one_is_not_honoured_from_the_cache()
    {
        string file = _directory.File("approvals.json");
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow), approvals: new FileApprovalStore(file));
        await ApproveAsync(agent, Server, HandshakePki.UntrustedRoot);
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));

        await File.WriteAllTextAsync(file, "{ this is not the approvals file", TestContext.Current.CancellationToken);

        Assert.False(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));
        Assert.False(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));
    }

    [Fact]
    public async Task A_valid_certificate_stays_cached_while_approvals_file_changes_elsewhere_move_only_approved_entries()
    {
        string file = _directory.File("approvals.json");
        var theirs = new FileApprovalStore(file);
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(), approvals: new FileApprovalStore(file));
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Valid));
        int decided = agent.FullDecisions;

        // Another process approves something unrelated: this store has not read the file, so a Valid entry, which
        // never depended on approvals, is still answered from the cache.
        await theirs.SaveAsync(new CertificateApproval(ServerIdentity.Create("elsewhere.example.test"), CertificateFingerprint.Parse(Sha256(HandshakePki.Expired)), CertificateProblemKinds.Expired, TestPki.Now, "CN=elsewhere"), TestContext.Current.CancellationToken);

        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Valid));
        Assert.Equal(decided, agent.FullDecisions);
    }

    [Fact]
    public void Expiry_takes_effect_from_the_cache_when_the_last_second_of_notAfter_is_over()
    {
        // Certificates carry whole seconds, and the validator counts notAfter's whole second as valid.
        DateTimeOffset notAfter = TestPki.Now.AddHours(1);
        X509Certificate2 leaf = TestPki.CreateLeaf(HandshakePki.Root, [HandshakePki.Host], notAfter: notAfter);
        using var agent = new Agent(InvalidCertificateAction.Deny);
        Assert.True(Handshake(agent.Policy, Server, leaf));

        agent.Time.SetUtcNow(notAfter.AddSeconds(1).AddTicks(-1));
        Assert.True(Handshake(agent.Policy, Server, leaf));
        Assert.Equal(1, agent.FullDecisions);
        agent.Time.Advance(TimeSpan.FromTicks(1));
        Assert.False(Handshake(agent.Policy, Server, leaf));
        Assert.Equal("denied_by_policy", agent.LastReason);
    }

    [Fact]
    public void With_clock_skew_the_cache_keeps_to_the_validators_boundaries()
    {
        X509Certificate2 leaf = TestPki.CreateLeaf(HandshakePki.Root, [HandshakePki.Host], notBefore: TestPki.Now.AddHours(1), notAfter: TestPki.Now.AddHours(2));
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var engine = new CertificateDecisionEngine(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = agent.TrustStore, ClockSkew = TimeSpan.FromMilliseconds(1500) }, agent.Time),
            new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Deny });
        var policy = new HandshakePolicy(engine);
        var instants = new List<DateTimeOffset>();
        foreach (DateTimeOffset boundary in new[] { TestPki.Now.AddHours(1), TestPki.Now.AddHours(2) })
        {
            for (long offset = -3 * TimeSpan.TicksPerSecond; offset <= 3 * TimeSpan.TicksPerSecond; offset += TimeSpan.TicksPerSecond / 4)
            {
                instants.Add(boundary.AddTicks(offset));
                instants.Add(boundary.AddTicks(offset - 1));
            }
        }

        foreach (DateTimeOffset instant in instants.Order())
        {
            agent.Time.SetUtcNow(instant);
            bool full = engine.DecideWithoutPrompt(engine.Validator.Validate(TestPki.Der(leaf), Server)).ShouldConnect;
            Assert.True(full == Handshake(policy, Server, leaf), $"At {instant:O} the full path says {full}.");
            Assert.True(full == Handshake(policy, Server, leaf), $"At {instant:O}, from the cache, the full path says {full}.");
        }
    }

    [Fact]
    public void A_certificate_without_expiry_connects_and_is_cached_with_clock_skew()
    {
        // RFC 5280 4.1.2.5: 99991231235959Z means "no well-defined expiration date"; adding the skew must not overflow.
        X509Certificate2 leaf = TestPki.CreateLeaf(HandshakePki.Root, [HandshakePki.Host], notAfter: new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero));
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var engine = new CertificateDecisionEngine(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = agent.TrustStore, ClockSkew = TimeSpan.FromDays(1) }, agent.Time),
            new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Deny });
        var policy = new HandshakePolicy(engine);

        Assert.True(Handshake(policy, Server, leaf));
        Assert.True(Handshake(policy, Server, leaf));
        Assert.Equal(1, policy.CachedDecisionCount);
    }

    [Fact]
    public void A_not_yet_valid_certificate_connects_from_notBefore_on_though_its_refusal_was_cached()
    {
        using var agent = new Agent(InvalidCertificateAction.Deny);
        Assert.False(Handshake(agent.Policy, Server, HandshakePki.NotYetValid));
        Assert.False(Handshake(agent.Policy, Server, HandshakePki.NotYetValid));
        Assert.Equal(1, agent.FullDecisions);

        agent.Time.SetUtcNow(HandshakePki.ValidFrom.AddTicks(-1));
        Assert.False(Handshake(agent.Policy, Server, HandshakePki.NotYetValid));
        agent.Time.SetUtcNow(HandshakePki.ValidFrom);
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.NotYetValid));
        Assert.Equal("valid", agent.LastReason);
    }

    [Fact]
    public void A_change_of_trust_anchors_is_seen_at_the_next_handshake_both_ways()
    {
        var store = new ReplaceableTrustStore(HandshakePki.Root);
        using var agent = new Agent(InvalidCertificateAction.Deny, trustStore: store);
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Valid));
        Assert.False(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));
        Assert.Equal(2, agent.Policy.CachedDecisionCount);

        store.Replace(HandshakePki.OtherRoot);

        Assert.False(Handshake(agent.Policy, Server, HandshakePki.Valid));
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.UntrustedRoot));
    }

    [Fact]
    public void A_copy_of_the_leaf_among_the_chain_certificates_is_not_part_of_the_cached_key()
    {
        using var agent = new Agent(InvalidCertificateAction.Deny);
        using var chainWithoutLeafCopy = new X509Chain();

        // The helper puts the leaf in the extra store, as SslStream does; the second handshake's store is empty.
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Valid));
        Assert.True(agent.Policy.CreateValidationCallback(Server)(agent.Policy, HandshakePki.Valid, chainWithoutLeafCopy, SslPolicyErrors.None));

        Assert.Equal(1, agent.Policy.CachedDecisionCount);
        Assert.Equal(1, agent.FullDecisions);
    }

    [Fact]
    public void The_cache_tells_servers_apart_by_name_and_port_and_certificates_by_every_byte()
    {
        using var agent = new Agent(InvalidCertificateAction.Deny);
        var otherPort = ServerIdentity.Create(HandshakePki.Host, 9443);
        var otherName = ServerIdentity.Create("other.example.test", 8443);

        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Valid));
        Assert.True(Handshake(agent.Policy, otherPort, HandshakePki.Valid));
        Assert.False(Handshake(agent.Policy, otherName, HandshakePki.Valid));
        Assert.False(Handshake(agent.Policy, Server, HandshakePki.WrongName));
        Assert.True(Handshake(agent.Policy, Server, HandshakePki.Valid, HandshakePki.Root));

        Assert.Equal(5, agent.Policy.CachedDecisionCount);
        Assert.Equal(5, agent.FullDecisions);
    }

    [Fact]
    public async Task A_profile_reload_empties_the_cache_and_the_new_settings_decide_the_next_handshake()
    {
        string roots = _directory.File("roots.pem");
        string otherRoots = _directory.File("other-roots.pem");
        await File.WriteAllTextAsync(roots, TestPki.ToPem(HandshakePki.Root), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(otherRoots, TestPki.ToPem(HandshakePki.OtherRoot), TestContext.Current.CancellationToken);
        string settings = _directory.File("appsettings.json");
        await File.WriteAllTextAsync(settings, ProfileJson("Allow", roots), TestContext.Current.CancellationToken);
        IConfigurationRoot configuration = new ConfigurationBuilder().AddJsonFile(settings, optional: false, reloadOnChange: false).Build();
        using var meters = new TestMeterFactory();
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(TestPki.Now))
            .AddSingleton<IMeterFactory>(meters)
            .AddCertPolicy(configuration.GetSection("CertPolicy"))
            .Services
            .BuildServiceProvider();
        // Decisions taken on the full path (the cache's answers are timed with certpolicy.path = fast).
        using var durations = new MetricCollector<double>(meters, "CertPolicy", "certpolicy.decision.duration");
        var decisions = new FullPathDecisions(durations);
        HandshakePolicy policy = services.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy("Management");
        Assert.True(Handshake(policy, Server, HandshakePki.Expired));
        Assert.True(Handshake(policy, Server, HandshakePki.Valid));
        Assert.True(Handshake(policy, Server, HandshakePki.Expired));
        Assert.Equal(2, decisions.GetMeasurementSnapshot().Count);

        // The administrator denies invalid certificates from now on.
        await File.WriteAllTextAsync(settings, ProfileJson("Deny", roots), TestContext.Current.CancellationToken);
        configuration.Reload();

        Assert.False(Handshake(policy, Server, HandshakePki.Expired));
        Assert.True(Handshake(policy, Server, HandshakePki.Valid));
        Assert.Equal(4, decisions.GetMeasurementSnapshot().Count);
        Assert.Equal(2, policy.CachedDecisionCount);

        // And trusts another CA instead: a new trust store.
        await File.WriteAllTextAsync(settings, ProfileJson("Deny", otherRoots), TestContext.Current.CancellationToken);
        configuration.Reload();

        Assert.False(Handshake(policy, Server, HandshakePki.Valid));
        Assert.True(Handshake(policy, Server, HandshakePki.UntrustedRoot));
    }

    /// <summary>
    /// The property the fast path lives by: whatever happens between handshakes (time passing to and across every
    /// validity boundary, approvals saved and forgotten here or by another process, trust anchors replaced), the
    /// callback answers exactly what a fresh engine with no cache decides. A cache can never turn the full path's
    /// refusal into a connection (nor the reverse).
    /// </summary>
    [Theory]
    [InlineData(InvalidCertificateAction.Warn, 1)]
    [InlineData(InvalidCertificateAction.Warn, 2)]
    [InlineData(InvalidCertificateAction.Warn, 3)]
    [InlineData(InvalidCertificateAction.Deny, 4)]
    [InlineData(InvalidCertificateAction.Allow, 5)]
    public async Task The_cache_always_answers_what_the_full_path_decides(InvalidCertificateAction action, int seed)
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var random = new Random(seed);
        CacheWorld world = CacheWorld.Instance;
        string file = _directory.File("approvals.json");
        var otherProcess = new FileApprovalStore(file);
        var store = new ReplaceableTrustStore(HandshakePki.Root);
        using var agent = new Agent(action, new ScriptedPrompt(), approvals: new FileApprovalStore(file), trustStore: store);
        CertificateDecisionEngine fresh = agent.CreateEngine(action);
        DateTimeOffset[] boundaries = world.Boundaries;
        int hits = 0;

        for (int step = 0; step < 400; step++)
        {
            int roll = random.Next(100);
            if (roll < 76)
            {
                ServerIdentity identity = world.Identities[random.Next(world.Identities.Length)];
                X509Certificate2[] presented = world.Chains[random.Next(world.Chains.Length)];
                int before = agent.FullDecisions;
                bool cached = Handshake(agent.Policy, identity, presented);
                hits += agent.FullDecisions == before ? 1 : 0;
                CertificateDecision full = fresh.DecideWithoutPrompt(fresh.Validator.Validate(TestPki.Der(presented), identity));
                Assert.True(
                    cached == full.ShouldConnect,
                    $"Seed {seed}, step {step}, {agent.Time.GetUtcNow():O}: the callback said {(cached ? "connect" : "refuse")} for {presented[0].Subject} at {identity}; the full path: {full.Message}");
                continue;
            }

            if (roll < 87)
            {
                // Either a while later, or to the next validity boundary: a tick before it, on it, or a tick after.
                DateTimeOffset now = agent.Time.GetUtcNow();
                DateTimeOffset[] ahead = [.. boundaries.Where(b => b.AddTicks(-1) > now).Order()];
                agent.Time.SetUtcNow(random.Next(2) == 0 && ahead.Length > 0
                    ? ahead[0].AddTicks(random.Next(-1, 2))
                    : now + TimeSpan.FromHours(random.Next(1, 48)));
            }
            else if (roll < 94)
            {
                // Approve exactly what the full path now finds wrong with a certificate, here or in the other process.
                ServerIdentity identity = world.Identities[random.Next(world.Identities.Length)];
                X509Certificate2[] presented = world.Chains[random.Next(world.Chains.Length)];
                ValidationReport report = fresh.Validator.Validate(TestPki.Der(presented), identity);
                if (!report.IsValid)
                {
                    ApprovalStore target = random.Next(2) == 0 ? agent.Approvals : otherProcess;
                    await target.SaveAsync(new CertificateApproval(identity, CertificateFingerprint.Parse(Sha256(presented[0])), report.Verdict.Kinds, agent.Time.GetUtcNow(), presented[0].Subject), ct);
                }
            }
            else if (roll < 98)
            {
                ApprovalStore target = random.Next(2) == 0 ? agent.Approvals : otherProcess;
                IReadOnlyList<CertificateApproval> approvals = target.List();
                if (approvals.Count > 0)
                {
                    CertificateApproval forget = approvals[random.Next(approvals.Count)];
                    await target.ForgetAsync(forget.Server, forget.Fingerprint, ct);
                }
            }
            else
            {
                X509Certificate2[][] choices = [[HandshakePki.Root], [HandshakePki.Root, HandshakePki.OtherRoot], [HandshakePki.Root], [HandshakePki.OtherRoot], []];
                store.Replace(choices[random.Next(choices.Length)]);
            }
        }

        // The sequence must exercise the cache, or the property says nothing.
        Assert.True(hits >= 10, $"Only {hits} handshakes were answered from the cache. " + string.Join(",", agent.Decisions.GetMeasurementSnapshot().GroupBy(m => m.Tags["certpolicy.reason"]).Select(g => $"{g.Key}={g.Count()}")));
    }

    /// <summary>What SslStream hands the callback: the leaf, and every certificate the server sent in the chain's extra store.</summary>
    internal static bool Handshake(HandshakePolicy policy, ServerIdentity identity, params X509Certificate2[] presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.AddRange(presented);
        return policy.CreateValidationCallback(identity)(policy, presented[0], chain, SslPolicyErrors.None);
    }

    private static async Task ApproveAsync(Agent agent, ServerIdentity identity, X509Certificate2 certificate)
    {
        int asked = agent.Prompt.Calls;
        CertificateDecision decision = await DecideWithPromptAsync(agent, identity, certificate);
        Assert.Equal(DecisionReason.ApprovedByUser, decision.Reason);
        Assert.Equal(asked + 1, agent.Prompt.Calls);
    }

    private static async Task<CertificateDecision> DecideWithPromptAsync(Agent agent, ServerIdentity identity, X509Certificate2 certificate) =>
        await agent.Engine.DecideAsync(agent.Engine.Validator.Validate(TestPki.Der(certificate), identity), TestContext.Current.CancellationToken);

    private static string Sha256(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    private string ProfileJson(string action, string trustStore) => $$"""
        { "CertPolicy": { "Profiles": { "Management": {
            "InvalidCertificateAction": "{{action}}",
            "TrustStore": {{System.Text.Json.JsonSerializer.Serialize(trustStore)}},
            "ApprovalsFile": {{System.Text.Json.JsonSerializer.Serialize(_directory.File("profile-approvals.json"))}}
        } } } }
        """;

    /// <summary>
    /// Certificates whose validity boundaries fall on both sides of <see cref="TestPki.Now"/>, chains that reach the
    /// trusted root directly, through an intermediate, through either of two intermediates sharing a name and key
    /// with different validity (one of them unused by the chosen path at times), or not at all.
    /// </summary>
    private sealed class CacheWorld
    {
        private static readonly Lazy<CacheWorld> LazyInstance = new(() => new CacheWorld());

        private CacheWorld()
        {
            DateTimeOffset now = TestPki.Now;
            X509Certificate2 root = HandshakePki.Root;
            X509Certificate2 early = TestPki.CreateIntermediate(root, "Fast Path CA", notBefore: now.AddDays(-30), notAfter: now.AddDays(60));
            X509Certificate2 late = TestPki.Issue(root, TestPki.CaSpec("CN=Fast Path CA") with { KeyOf = early, NotBefore = now.AddDays(30), NotAfter = now.AddDays(400) });
            X509Certificate2 throughCa = TestPki.CreateLeaf(early, [HandshakePki.Host, "other.example.test"], notBefore: now.AddDays(-10), notAfter: now.AddDays(200));
            X509Certificate2 soon = TestPki.CreateLeaf(root, [HandshakePki.Host], notBefore: now.AddDays(5), notAfter: now.AddDays(90));
            X509Certificate2 ending = TestPki.CreateLeaf(root, [HandshakePki.Host], notBefore: now.AddDays(-5), notAfter: now.AddDays(20));
            Chains =
            [
                [HandshakePki.Valid],
                [ending],
                [soon],
                [HandshakePki.UntrustedRoot],
                [HandshakePki.WrongName],
                [HandshakePki.VendorDefault],
                [throughCa, early],
                [throughCa, late],
                [throughCa, early, late],
                [throughCa, late, early],
                [throughCa],
            ];
            Boundaries =
            [
                .. Chains.SelectMany(c => c).SelectMany(c => new[] { new DateTimeOffset(c.NotBefore.ToUniversalTime()), new DateTimeOffset(c.NotAfter.ToUniversalTime()) })
                    .Where(b => b > now && b < now.AddDays(450)).Distinct(),
            ];
        }

        public static CacheWorld Instance => LazyInstance.Value;

        public X509Certificate2[][] Chains { get; }

        public DateTimeOffset[] Boundaries { get; }

        public ServerIdentity[] Identities { get; } =
        [
            ServerIdentity.Create(HandshakePki.Host, 8443),
            ServerIdentity.Create(HandshakePki.Host, 9443),
            ServerIdentity.Create("other.example.test", 8443),
        ];
    }

    /// <summary>The decisions taken on the full path, out of every decision's duration.</summary>
    private sealed class FullPathDecisions(MetricCollector<double> durations)
    {
        public IReadOnlyList<CollectedMeasurement<double>> GetMeasurementSnapshot() =>
            [.. durations.GetMeasurementSnapshot().Where(m => Equals(m.Tags["certpolicy.path"], "full"))];
    }
}
