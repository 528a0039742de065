using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// A store written outside the library uses the public change signal (<see cref="ApprovalStore.RefreshVersion"/>)
/// so that a change made by another process stops the fast path from honouring a forgotten approval.
/// </summary>
public sealed class ThirdPartyApprovalStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task An_approval_another_process_removes_from_a_user_written_store_is_not_honoured_from_the_cache()
    {
        await using var server = LoopbackTlsServer.Start(HandshakePki.UntrustedRoot);
        var identity = ServerIdentity.Create(HandshakePki.Host, server.Port);
        var store = new LineFileApprovalStore(_directory.File("approvals.txt"));
        using var agent = new Agent(InvalidCertificateAction.Warn, new ScriptedPrompt(PromptAnswer.Allow), approvals: store);
        Assert.Equal(DecisionReason.ApprovedByUser, (await TlsClient.ConnectAsync(agent.Policy, identity, server.Port)).Decision!.Reason);
        Assert.Single(store.List());

        Assert.True((await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port)).Connected);
        Assert.Equal("remembered_approval", agent.LastReason);
        int decided = agent.FullDecisions;
        Assert.True((await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port)).Connected);
        Assert.Equal(decided, agent.FullDecisions);

        // Another process empties the file; this store instance did not make the change.
        await File.WriteAllTextAsync(store.FilePath, string.Empty, TestContext.Current.CancellationToken);

        Assert.False((await TlsClient.ConnectWithCallbackAsync(agent.Policy, identity, server.Port)).Connected);
        Assert.Equal(decided + 1, agent.FullDecisions);
        Assert.Equal("needs_user_answer", agent.LastReason);
    }

    /// <summary>A store as a user might write one: one approval a line in its own text file, re-read when the text changes.</summary>
    private sealed class LineFileApprovalStore(string filePath) : ApprovalStore
    {
        private readonly Lock _gate = new();
        private string _text = string.Empty;
        private List<CertificateApproval> _approvals = [];

        public string FilePath { get; } = filePath;

        public override long RefreshVersion()
        {
            Load();
            return Version;
        }

        public override CertificateApproval? Find(ServerIdentity server, CertificateFingerprint certificate)
        {
            Load();
            lock (_gate)
            {
                return _approvals.Find(a => a.Server.Equals(server) && a.Fingerprint == certificate);
            }
        }

        public override IReadOnlyList<CertificateApproval> FindForServer(ServerIdentity server)
        {
            Load();
            lock (_gate)
            {
                return [.. _approvals.Where(a => a.Server.Equals(server))];
            }
        }

        public override IReadOnlyList<CertificateApproval> List()
        {
            Load();
            lock (_gate)
            {
                return [.. _approvals];
            }
        }

        public override async ValueTask SaveAsync(CertificateApproval approval, CancellationToken cancellationToken = default)
        {
            string line = string.Create(CultureInfo.InvariantCulture, $"{approval.Server.Host} {approval.Server.Port} {approval.Fingerprint} {(int)approval.AcceptedProblems}\n");
            await File.AppendAllTextAsync(FilePath, line, cancellationToken);
            Load();
        }

        public override ValueTask<bool> ForgetAsync(ServerIdentity server, CertificateFingerprint certificate, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public override ValueTask<int> ForgetAllAsync(ServerIdentity server, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        private void Load()
        {
            string text = File.Exists(FilePath) ? File.ReadAllText(FilePath) : string.Empty;
            lock (_gate)
            {
                if (text == _text)
                {
                    return;
                }

                _text = text;
                _approvals = [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse)];
            }

            OnChanged();
        }

        private static CertificateApproval Parse(string line)
        {
            string[] parts = line.Split(' ');
            return new CertificateApproval(
                ServerIdentity.Create(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture)),
                CertificateFingerprint.Parse(parts[2]),
                (CertificateProblemKinds)int.Parse(parts[3], CultureInfo.InvariantCulture),
                TestPki.Now);
        }
    }
}
