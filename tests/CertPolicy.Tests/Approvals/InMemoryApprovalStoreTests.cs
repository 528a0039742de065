using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Approvals;

public sealed class InMemoryApprovalStoreTests
{
    private static readonly ServerIdentity Server = ServerIdentity.Create("ems.example.test", 8443);
    private static readonly CertificateFingerprint Sha = CertificateFingerprint.Parse(new string('A', 64));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Saved_approvals_are_found_by_server_and_fingerprint()
    {
        var store = new InMemoryApprovalStore();
        var approval = new CertificateApproval(Server, Sha, CertificateProblemKinds.UntrustedRoot, TestPki.Now, "CN=ems");

        await store.SaveAsync(approval, Ct);

        Assert.Same(approval, store.Find(ServerIdentity.Create("EMS.example.test.", 8443), CertificateFingerprint.Parse(Sha.ToString().ToLowerInvariant())));
        Assert.Null(store.Find(ServerIdentity.Create("ems.example.test", 443), Sha));
        Assert.Null(store.Find(Server, CertificateFingerprint.Parse(new string('B', 64))));
        Assert.False(CertificateFingerprint.TryParse("not a fingerprint", out _));
    }

    [Fact]
    public async Task Saving_again_replaces_the_approval_of_the_same_server_and_certificate()
    {
        var store = new InMemoryApprovalStore();
        await store.SaveAsync(new CertificateApproval(Server, Sha, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);

        await store.SaveAsync(new CertificateApproval(Server, Sha, CertificateProblemKinds.Expired, TestPki.Now.AddDays(1)), Ct);

        Assert.Equal(CertificateProblemKinds.Expired, Assert.Single(store.List()).AcceptedProblems);
    }

    [Fact]
    public async Task Forgetting_removes_one_approval_or_every_approval_of_a_server()
    {
        var store = new InMemoryApprovalStore();
        var other = ServerIdentity.Create("other.example.test");
        await store.SaveAsync(new CertificateApproval(Server, Sha, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        await store.SaveAsync(new CertificateApproval(Server, CertificateFingerprint.Parse(new string('B', 64)), CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        await store.SaveAsync(new CertificateApproval(other, Sha, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);

        Assert.True(await store.ForgetAsync(Server, Sha, Ct));
        Assert.False(await store.ForgetAsync(Server, Sha, Ct));
        Assert.Equal(1, await store.ForgetAllAsync(Server, Ct));

        Assert.Equal(other, Assert.Single(store.List()).Server);
    }

    [Fact]
    public async Task Changes_raise_Changed_and_advance_Version()
    {
        var store = new InMemoryApprovalStore();
        int raised = 0;
        store.Changed += (_, _) => raised++;

        await store.SaveAsync(new CertificateApproval(Server, Sha, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        await store.ForgetAsync(Server, CertificateFingerprint.Parse(new string('C', 64)), Ct);
        await store.ForgetAsync(Server, Sha, Ct);

        Assert.Equal(2, raised);
        Assert.Equal(2, store.Version);
    }

    [Fact]
    public void An_approval_needs_a_fingerprint_and_at_least_one_problem()
    {
        Assert.Throws<FormatException>(() => CertificateFingerprint.Parse("ABC"));
        Assert.Throws<ArgumentException>(() => new CertificateApproval(Server, default, CertificateProblemKinds.UntrustedRoot, TestPki.Now));
        Assert.Throws<ArgumentException>(() => new CertificateApproval(Server, Sha, CertificateProblemKinds.None, TestPki.Now));
        Assert.Equal(Sha, new CertificateApproval(Server, CertificateFingerprint.Parse(string.Join(':', Enumerable.Repeat("aa", 32))), CertificateProblemKinds.Expired, TestPki.Now).Fingerprint);
    }
}
