using System.Globalization;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Handshake;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Profiles;

/// <summary>
/// <see cref="EndpointProfileOptions.RecordPendingQuestions"/> through dependency injection: a headless Warn profile
/// bound from configuration, over real TLS on loopback and real files, records its unanswered questions beside its
/// approvals file, and honours answers written by another process or store without a restart.
/// </summary>
public sealed class PendingQuestionProfileTests : IDisposable
{
    private const string Profile = "Management";
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string ApprovalsPath => _directory.File("approvals.json");

    private string PendingPath => PendingQuestionStore.FilePathFor(ApprovalsPath);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Sha256 => CertificateFingerprint.Compute(HandshakePki.UntrustedRoot.RawData).ToString();

    [Fact]
    public async Task A_headless_Warn_profile_records_one_question_however_many_connections_and_an_approval_from_another_process_connects_without_a_restart()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        await using ServiceProvider provider = Services().BuildServiceProvider();
        HandshakePolicy policy = provider.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy(Profile);
        ServerIdentity identity = ServerIdentity.Create(HandshakePki.Host, server.Port);

        // Two in a row, then six at once.
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(DecisionReason.NoPrompt, (await TlsClient.ConnectAsync(policy, identity, server.Port)).Decision!.Reason);
        }

        ClientResult[] concurrent = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => TlsClient.ConnectAsync(policy, identity, server.Port)));
        Assert.All(concurrent, r => Assert.Equal(DecisionReason.NoPrompt, r.Decision!.Reason));

        PendingQuestion question = Assert.Single(PendingQuestionStore.OpenReadOnly(PendingPath).List());
        Assert.Equal(8, question.Attempts);
        Assert.Equal(identity, question.Server);
        Assert.Equal(Sha256, question.Fingerprint.ToString());

        await PendingQuestionTests.ExpectExitAsync(
            PendingQuestionTests.StartHelper("approve", ApprovalsPath, HandshakePki.Host, server.Port.ToString(CultureInfo.InvariantCulture), Sha256), 0);

        ClientResult connected = await TlsClient.ConnectAsync(policy, identity, server.Port);
        Assert.True(connected.Connected);
        Assert.Equal(TlsClient.Message, connected.Echo);
        Assert.Equal(DecisionReason.RememberedApproval, connected.Decision!.Reason);
        Assert.Empty(PendingQuestionStore.OpenReadOnly(PendingPath).List());
    }

    [Fact]
    public async Task Deny_from_another_store_removes_the_question_and_the_next_attempt_records_it_again()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        await using ServiceProvider provider = Services().BuildServiceProvider();
        HandshakePolicy policy = provider.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy(Profile);
        ServerIdentity identity = ServerIdentity.Create(HandshakePki.Host, server.Port);
        await TlsClient.ConnectAsync(policy, identity, server.Port);
        await TlsClient.ConnectAsync(policy, identity, server.Port);

        var administrator = new PendingQuestionStore(PendingPath);
        Assert.True(await administrator.DenyAsync(identity, CertificateFingerprint.Parse(Sha256), Ct));
        Assert.Empty(administrator.List());

        ClientResult again = await TlsClient.ConnectAsync(policy, identity, server.Port);
        Assert.Equal(DecisionReason.NoPrompt, again.Decision!.Reason);
        PendingQuestion question = Assert.Single(administrator.List());
        Assert.Equal(1, question.Attempts);
        Assert.Empty(new FileApprovalStore(ApprovalsPath).List());
    }

    [Fact]
    public async Task A_damaged_pending_file_is_kept_aside_and_the_agent_still_records_and_connects_once_approved()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        byte[] damaged = "{ \"version\": 1, \"questions\": [ {"u8.ToArray();
        await File.WriteAllBytesAsync(PendingPath, damaged, Ct);
        await using ServiceProvider provider = Services().BuildServiceProvider();
        HandshakePolicy policy = provider.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy(Profile);
        ServerIdentity identity = ServerIdentity.Create(HandshakePki.Host, server.Port);

        ClientResult refused = await TlsClient.ConnectAsync(policy, identity, server.Port);

        Assert.Equal(DecisionReason.NoPrompt, refused.Decision!.Reason);
        string aside = Assert.Single(Directory.GetFiles(_directory.Path, "approvals.json.pending.json.corrupt-*"));
        Assert.Equal(damaged, await File.ReadAllBytesAsync(aside, Ct));
        var administrator = new PendingQuestionStore(PendingPath);
        Assert.Equal(1, Assert.Single(administrator.List()).Attempts);

        await administrator.ApproveAsync(identity, CertificateFingerprint.Parse(Sha256), new FileApprovalStore(ApprovalsPath), cancellationToken: Ct);
        Assert.Equal(DecisionReason.RememberedApproval, (await TlsClient.ConnectAsync(policy, identity, server.Port)).Decision!.Reason);
    }

    [Fact]
    public async Task RecordPendingQuestions_false_records_nothing()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        await using ServiceProvider provider = Services(($"{Profile}:RecordPendingQuestions", "false")).BuildServiceProvider();
        HandshakePolicy policy = provider.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy(Profile);

        ClientResult refused = await TlsClient.ConnectAsync(policy, ServerIdentity.Create(HandshakePki.Host, server.Port), server.Port);

        Assert.Equal(DecisionReason.NoPrompt, refused.Decision!.Reason);
        Assert.False(File.Exists(PendingPath));
    }

    [Fact]
    public async Task Profiles_naming_the_same_approvals_file_share_one_question()
    {
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        await using ServiceProvider provider = Services(("Second:TrustStore", _directory.File("roots.pem")), ("Second:ApprovalsFile", ApprovalsPath)).BuildServiceProvider();
        var profiles = provider.GetRequiredService<EndpointProfileProvider>();
        ServerIdentity identity = ServerIdentity.Create(HandshakePki.Host, server.Port);

        await TlsClient.ConnectAsync(profiles.GetHandshakePolicy(Profile), identity, server.Port);
        await TlsClient.ConnectAsync(profiles.GetHandshakePolicy("Second"), identity, server.Port);

        Assert.Equal(2, Assert.Single(PendingQuestionStore.OpenReadOnly(PendingPath).List()).Attempts);
    }

    /// <summary>A headless Warn profile (no prompt registered) bound from configuration, plus <paramref name="settings"/> ("Profile:Setting"); its roots do not include the server's.</summary>
    private IServiceCollection Services(params (string Key, string Value)[] settings)
    {
        string roots = _directory.File("roots.pem");
        File.WriteAllText(roots, TestPki.ToPem(HandshakePki.Root));
        var values = new Dictionary<string, string?>
        {
            [$"CertPolicy:Profiles:{Profile}:TrustStore"] = roots,
            [$"CertPolicy:Profiles:{Profile}:ApprovalsFile"] = ApprovalsPath,
            [$"CertPolicy:Profiles:{Profile}:InvalidCertificateAction"] = "Warn",
        };
        foreach ((string key, string value) in settings)
        {
            values[$"CertPolicy:Profiles:{key}"] = value;
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        IServiceCollection services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider(TestPki.Now));
        services.AddCertPolicy(configuration.GetSection("CertPolicy"));
        return services;
    }
}
