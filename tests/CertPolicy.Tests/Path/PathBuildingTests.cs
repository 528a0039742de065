using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.PathBuilding;

public sealed class PathBuildingTests
{
    [Fact]
    public void A_chain_through_an_intermediate_to_a_trusted_root_is_valid()
    {
        var chain = new Chain();
        ValidationReport report = ValidateWith(chain.Root, chain.Leaf, chain.Intermediate);

        AssertValid(report);
        Assert.Equal(["CN=" + Host, "CN=Kit Intermediate", "CN=Kit Root"], report.Path.Select(p => p.Subject));
    }

    [Fact]
    public void An_rsa_chain_is_valid()
    {
        var chain = new Chain(TestKeyKind.Rsa2048);
        AssertValid(ValidateWith(chain.Root, chain.Leaf, chain.Intermediate));
    }

    [Fact]
    public void Intermediates_in_any_order_with_duplicates_and_junk_still_build()
    {
        var chain = new Chain();
        X509Certificate2 unrelated = TestPki.Issue(null, TestPki.CaSpec("CN=Unrelated"));
        ReadOnlyMemory<byte>[] peer =
        [
            chain.Leaf.RawData, new byte[] { 0x30, 0x03, 0x02, 0x01 }, unrelated.RawData, chain.Intermediate.RawData,
            chain.Intermediate.RawData, chain.Leaf.RawData, Array.Empty<byte>(),
        ];

        ValidationReport report = Validator([chain.Root]).Validate(peer, ServerIdentity.Create(Host));

        AssertValid(report);
        Assert.Equal(3, report.Path.Count);
    }

    [Fact]
    public void A_missing_intermediate_is_a_partial_chain()
    {
        var chain = new Chain();
        ValidationReport report = ValidateWith(chain.Root, chain.Leaf);

        AssertOnly(report, CertificateProblemKinds.PartialChain);
        Assert.Equal(0, report.Of(CertificateProblemKinds.PartialChain).Single().ChainPosition);
    }

    [Fact]
    public void A_chain_to_a_root_not_in_the_store_ends_in_an_untrusted_root()
    {
        var chain = new Chain();
        X509Certificate2 other = TestPki.Issue(null, TestPki.CaSpec("CN=Other Root"));

        ValidationReport report = ValidateWith(other, chain.Leaf, chain.Intermediate, chain.Root);

        AssertOnly(report, CertificateProblemKinds.UntrustedRoot);
        Assert.Equal(2, report.Of(CertificateProblemKinds.UntrustedRoot).Single().ChainPosition);
        Assert.Equal(3, report.Path.Count);
    }

    [Fact]
    public void A_root_sent_by_the_peer_is_not_trusted_because_it_was_sent()
    {
        var chain = new Chain();
        ValidationReport report = Validator([]).Validate(chain.Leaf, chain.Intermediate, chain.Root);

        Assert.Equal(CertificateProblemKinds.UntrustedRoot, report.Kinds());
    }

    [Fact]
    public void An_issuer_with_the_right_name_but_another_key_is_a_bad_signature()
    {
        var chain = new Chain();
        X509Certificate2 impostor = TestPki.Issue(null, TestPki.CaSpec("CN=Kit Root"));

        ValidationReport report = ValidateWith(impostor, chain.Leaf, chain.Intermediate);

        AssertOnly(report, CertificateProblemKinds.BadSignature);
        Assert.Equal(1, report.Of(CertificateProblemKinds.BadSignature).Single().ChainPosition);
    }

    [Fact]
    public void An_intermediate_may_be_the_trust_anchor()
    {
        var chain = new Chain();
        ValidationReport report = ValidateWith(chain.Intermediate, chain.Leaf, chain.Root);

        AssertValid(report);
        Assert.Equal(2, report.Path.Count);
    }

    [Fact]
    public void Backtracking_finds_the_valid_path_when_the_first_candidate_is_expired()
    {
        // The intermediate's key is certified twice: an expired certificate listed first, a valid one second.
        var chain = new Chain();
        X509Certificate2 expired = TestPki.Issue(chain.Root, TestPki.CaSpec("CN=Kit Intermediate", 0) with
        {
            KeyOf = chain.Intermediate,
            NotBefore = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            NotAfter = new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero),
        });

        ValidationReport report = ValidateWith(chain.Root, chain.Leaf, expired, chain.Intermediate);

        AssertValid(report);
        Assert.Equal(chain.Intermediate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), report.Path[1].Sha256Fingerprint);
    }

    [Fact]
    public void A_cross_signed_intermediate_leads_to_the_root_that_is_trusted()
    {
        // Old root (not trusted) and new root (trusted) both certify the intermediate's key: only one path works.
        X509Certificate2 oldRoot = TestPki.Issue(null, TestPki.CaSpec("CN=Old Root"));
        X509Certificate2 newRoot = TestPki.Issue(null, TestPki.CaSpec("CN=New Root"));
        X509Certificate2 viaOld = TestPki.Issue(oldRoot, TestPki.CaSpec("CN=Shared Intermediate"));
        X509Certificate2 viaNew = TestPki.Issue(newRoot, TestPki.CaSpec("CN=Shared Intermediate") with { KeyOf = viaOld });
        X509Certificate2 leaf = TestPki.Issue(viaOld, TestPki.LeafSpec(Host));

        ValidationReport report = ValidateWith(newRoot, leaf, viaOld, oldRoot, viaNew);

        AssertValid(report);
        Assert.Equal("CN=New Root", report.Path[^1].Subject);
    }

    [Fact]
    public void An_expired_root_is_bypassed_through_its_cross_signed_copy()
    {
        // The AddTrust case: the old root expired, a newer root cross-signed its key.
        DateTimeOffset past = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        X509Certificate2 oldRoot = TestPki.Issue(null, TestPki.CaSpec("CN=Aging Root") with { NotBefore = past.AddYears(-10), NotAfter = past });
        X509Certificate2 newRoot = TestPki.Issue(null, TestPki.CaSpec("CN=Fresh Root"));
        X509Certificate2 cross = TestPki.Issue(newRoot, TestPki.CaSpec("CN=Aging Root") with { KeyOf = oldRoot });
        X509Certificate2 leaf = TestPki.Issue(oldRoot, TestPki.LeafSpec(Host));

        ValidationReport report = Validator([oldRoot, newRoot]).Validate(leaf, cross);

        AssertValid(report);
        Assert.Equal("CN=Fresh Root", report.Path[^1].Subject);
    }

    [Fact]
    public void A_cycle_of_intermediates_fails_without_looping()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Cycle Root"));
        X509Certificate2 a = TestPki.Issue(null, TestPki.CaSpec("CN=Cycle A") with { IssuerName = "CN=Cycle B" });
        X509Certificate2 b = TestPki.Issue(a, TestPki.CaSpec("CN=Cycle B"));
        X509Certificate2 aByB = TestPki.Issue(b, TestPki.CaSpec("CN=Cycle A") with { KeyOf = a });
        X509Certificate2 leaf = TestPki.Issue(a, TestPki.LeafSpec(Host));

        ValidationReport report = Validator([root]).ValidateCore(TestPki.Der(leaf, aByB, b), ServerIdentity.Create(Host), out WorkBudget budget);

        Assert.False(report.IsValid);
        Assert.True(budget.SignatureChecks <= 4, $"{budget.SignatureChecks} signature checks");
        Assert.True((report.Kinds() & (CertificateProblemKinds.UntrustedRoot | CertificateProblemKinds.PartialChain)) != 0, string.Join(" | ", report.Modern.Problems));
    }

    [Fact]
    public void A_leaf_that_is_itself_trusted_needs_no_issuer()
    {
        X509Certificate2 pinned = TestPki.CreateSelfSignedLeaf(Host);
        ValidationReport report = ValidateWith(pinned, pinned);

        AssertValid(report);
        Assert.Single(report.Path);
    }

    [Fact]
    public void A_self_signed_leaf_that_is_not_trusted_is_an_untrusted_root()
    {
        X509Certificate2 selfSigned = TestPki.CreateSelfSignedLeaf(Host);
        X509Certificate2 other = TestPki.Issue(null, TestPki.CaSpec("CN=Other"));

        AssertOnly(ValidateWith(other, selfSigned), CertificateProblemKinds.UntrustedRoot);
    }

    [Fact]
    public void A_trusted_anchor_that_does_not_parse_is_skipped()
    {
        var chain = new Chain();
        var store = new FixedStore(new TrustAnchors([new byte[] { 0x30, 0x82, 0x01 }, chain.Root.RawData]));
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = store }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestPki.Now));

        AssertValid(validator.Validate(chain.Leaf, chain.Intermediate));
    }

    [Fact]
    public void Self_issued_intermediates_do_not_count_against_the_depth()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Depth Root"));
        X509Certificate2 first = TestPki.Issue(root, TestPki.CaSpec("CN=Depth CA"));
        X509Certificate2 rollover = TestPki.Issue(first, TestPki.CaSpec("CN=Depth CA"));
        X509Certificate2 leaf = TestPki.Issue(rollover, TestPki.LeafSpec(Host));

        AssertValid(Validator([root], o => o.MaxChainDepth = 1).Validate(leaf, first, rollover));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    public void MaxChainDepth_bounds_the_intermediates(int depth, bool valid)
    {
        var chain = new Chain();
        ValidationReport report = Validator([chain.Root], o => o.MaxChainDepth = depth).Validate(chain.Leaf, chain.Intermediate);

        Assert.Equal(valid, report.IsValid);
        if (!valid)
        {
            Assert.Equal(CertificateProblemKinds.ChainTooLong, report.Kinds());
        }
    }

    [Fact]
    public void A_path_longer_than_the_default_depth_is_too_long()
    {
        X509Certificate2 issuer = TestPki.Issue(null, TestPki.CaSpec("CN=Deep Root"));
        X509Certificate2 root = issuer;
        var intermediates = new List<X509Certificate2>();
        for (int i = 0; i < 9; i++)
        {
            issuer = TestPki.Issue(issuer, TestPki.CaSpec($"CN=Deep {i}"));
            intermediates.Add(issuer);
        }

        X509Certificate2 leaf = TestPki.Issue(issuer, TestPki.LeafSpec(Host));

        AssertOnly(Validator([root]).Validate([leaf, .. intermediates]), CertificateProblemKinds.ChainTooLong);
    }

    [Fact]
    public void Many_issuers_with_one_name_and_key_exhaust_the_budget_or_fail_fast()
    {
        // Go's TestPathologicalChains: every intermediate seems to have signed every other.
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Unrelated Root"));
        X509Certificate2 first = TestPki.Issue(null, TestPki.CaSpec("CN=Same"));
        var peer = new List<X509Certificate2>();
        for (int i = 0; i < 60; i++)
        {
            peer.Add(TestPki.Issue(first, TestPki.CaSpec("CN=Same") with { KeyOf = first }));
        }

        X509Certificate2 leaf = TestPki.Issue(first, TestPki.LeafSpec(Host));
        ValidationReport report = Validator([root], o => o.MaxSignatureChecks = 20)
            .ValidateCore(TestPki.Der([leaf, .. peer]), ServerIdentity.Create(Host), out WorkBudget budget);

        Assert.False(report.IsValid);
        Assert.InRange(budget.SignatureChecks, 1, 20);
        Assert.InRange(budget.Candidates, 1, budget.MaxCandidates);
    }

    [Fact]
    public void Many_issuer_certificates_for_one_key_cost_one_signature_check()
    {
        // The child's signature is checked once per key, not once per certificate that carries the key.
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Budget Root"));
        X509Certificate2 keyHolder = TestPki.Issue(null, TestPki.CaSpec("CN=Budget Key"));
        var peer = new List<X509Certificate2>();
        for (int i = 0; i < 30; i++)
        {
            peer.Add(TestPki.Issue(keyHolder, TestPki.CaSpec("CN=Budget Issuer") with { KeyOf = keyHolder, IssuerName = "CN=Budget Issuer" }));
        }

        X509Certificate2 leaf = TestPki.Issue(keyHolder, TestPki.LeafSpec(Host) with { IssuerName = "CN=Budget Issuer" });
        ValidationReport report = Validator([root], o => o.MaxSignatureChecks = 1)
            .ValidateCore(TestPki.Der([leaf, .. peer]), ServerIdentity.Create(Host), out WorkBudget budget);

        Assert.False(report.IsValid);
        Assert.Equal(1, budget.SignatureChecks);
    }

    private sealed class FixedStore(TrustAnchors anchors) : TrustStore
    {
        public override TrustAnchors GetAnchors() => anchors;
    }
}
