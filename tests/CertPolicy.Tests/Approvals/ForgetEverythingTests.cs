using CertPolicy.Tests.Decisions;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Approvals;

/// <summary><see cref="ApprovalStore.ForgetEverythingAsync"/>: every approval of every server, in each built-in store and in the base implementation.</summary>
public sealed class ForgetEverythingTests : IDisposable
{
    private static readonly ServerIdentity Ems = ServerIdentity.Create("ems.example.test", 8443);
    private static readonly ServerIdentity Other = ServerIdentity.Create("other.example.test");
    private static readonly CertificateFingerprint First = CertificateFingerprint.Parse(new string('A', 64));
    private static readonly CertificateFingerprint Second = CertificateFingerprint.Parse(new string('B', 64));

    private readonly TempDirectory _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("memory")]
    [InlineData("file")]
    [InlineData("base")]
    public async Task Every_approval_of_every_server_is_forgotten_once_and_the_change_is_signalled(string kind)
    {
        ApprovalStore store = kind switch
        {
            "memory" => new InMemoryApprovalStore(),
            "file" => new FileApprovalStore(_folder.File("approvals.json")),
            _ => new FailingApprovalStore(failReads: false, failWrites: false),
        };
        await store.SaveAsync(new CertificateApproval(Ems, First, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        await store.SaveAsync(new CertificateApproval(Ems, Second, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        await store.SaveAsync(new CertificateApproval(Other, First, CertificateProblemKinds.NameMismatch, TestPki.Now), Ct);
        long before = store.Version;

        int forgotten = await store.ForgetEverythingAsync(Ct);
        long after = store.Version;
        int again = await store.ForgetEverythingAsync(Ct);

        Assert.Equal(3, forgotten);
        Assert.Empty(store.List());
        Assert.Equal(0, again);
        if (kind != "base")
        {
            // The test's own store does not signal changes; the built-in ones signal one change, and none for nothing.
            Assert.True(after > before);
            Assert.Equal(after, store.Version);
        }
    }

    [Fact]
    public async Task The_file_is_empty_for_every_reader_after_one_rewrite()
    {
        string path = _folder.File("approvals.json");
        var writer = new FileApprovalStore(path);
        var reader = new FileApprovalStore(path);
        await writer.SaveAsync(new CertificateApproval(Ems, First, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        await writer.SaveAsync(new CertificateApproval(Other, Second, CertificateProblemKinds.Expired, TestPki.Now), Ct);
        Assert.Equal(2, reader.List().Count);

        Assert.Equal(2, await writer.ForgetEverythingAsync(Ct));

        Assert.Empty(reader.List());
        Assert.Null(reader.Find(Ems, First));
        Assert.True(File.Exists(path));
    }
}
