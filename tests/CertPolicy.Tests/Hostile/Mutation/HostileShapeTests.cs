using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.PathBuilding;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Hostile.Mutation;

/// <summary>
/// Well-formed but hostile shapes: thousands of names, names far beyond DNS limits, chains deeper than any limit, and
/// presented sets built to make a path builder try every combination. Each ends within the work budget; the tests assert
/// what the report and the budget counters say, never the time taken.
/// </summary>
public sealed class HostileShapeTests
{
    private const string Host = PathTestKit.Host;

    [Fact]
    public void A_leaf_with_five_thousand_names_is_judged_and_the_mismatch_reason_stays_short()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Many Names Root"));
        string[] names = [.. Enumerable.Range(0, 5000).Select(i => $"n{i}.example.test")];
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(names));
        CertificateValidator validator = PathTestKit.Validator([root]);

        ValidationReport miss = validator.Validate([leaf.RawData], ServerIdentity.Create(Host));
        ValidationReport hit = validator.Validate([leaf.RawData], ServerIdentity.Create("n4999.example.test"));

        CertificateProblem mismatch = Assert.Single(miss.Modern.Problems);
        Assert.Equal(CertificateProblemKinds.NameMismatch, mismatch.Kind);
        Assert.Contains("and 4990 more", mismatch.Message, StringComparison.Ordinal);
        Assert.InRange(mismatch.Message.Length, 1, 2000);
        PathTestKit.AssertValid(hit);
        Assert.Equal(5000, hit.Certificate!.DnsNames.Count);
    }

    [Fact]
    public void Names_far_beyond_DNS_limits_in_a_certificate_are_ignored_with_a_reason_and_never_match()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Long Names Root"));
        string longLabel = new string('a', 64) + ".example.test";
        string longName = string.Join('.', Enumerable.Repeat(new string('b', 60), 5)) + ".example.test"; // over 253 octets
        string hugeName = string.Join('.', Enumerable.Repeat("c", 10_000)) + ".example.test";
        string hostPadded = Host + new string('.', 1);
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec() with
        {
            Subject = "CN=long names",
            Extensions = [TestPki.SubjectAlternativeName([TestPki.DnsName(longLabel), TestPki.DnsName(longName), TestPki.DnsName(hugeName), TestPki.DnsName(hostPadded)])],
        });

        ValidationReport report = PathTestKit.Validator([root]).Validate([leaf.RawData], ServerIdentity.Create(Host));

        Assert.False(report.IsValid);
        CertificateProblem mismatch = Assert.Single(report.Modern.Problems, p => p.Kind == CertificateProblemKinds.NameMismatch);
        Assert.Contains("ignored: it ends with a dot", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("63", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("253", mismatch.Message, StringComparison.Ordinal);
        Assert.InRange(mismatch.Message.Length, 1, 4000); // the 20 000-character entry is not copied whole into the reason
    }

    [Theory]
    [InlineData(8, 9)]
    [InlineData(32, 33)]
    [InlineData(32, 48)]
    public void A_chain_deeper_than_MaxChainDepth_is_too_long_in_any_order(int maxDepth, int intermediates)
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Deep Root"));
        X509Certificate2 issuer = root;
        var chain = new List<X509Certificate2>();
        for (int i = 0; i < intermediates; i++)
        {
            issuer = TestPki.Issue(issuer, TestPki.CaSpec($"CN=Deep {i}"));
            chain.Add(issuer);
        }

        X509Certificate2 leaf = TestPki.Issue(issuer, TestPki.LeafSpec(Host));
        CertificateValidator validator = PathTestKit.Validator([root], o => o.MaxChainDepth = maxDepth);
        var random = new Random(intermediates);
        List<X509Certificate2>[] orders = [[.. chain], [.. Enumerable.Reverse(chain)], [.. chain.OrderBy(_ => random.Next())]];

        foreach (List<X509Certificate2> order in orders)
        {
            ValidationReport report = validator.ValidateCore(TestPki.Der([leaf, .. order]), ServerIdentity.Create(Host), out WorkBudget budget);

            PathTestKit.AssertOnly(report, CertificateProblemKinds.ChainTooLong);
            Assert.False(budget.IsExhausted);
            Assert.InRange(budget.SignatureChecks, 0, maxDepth + 2); // signatures already seen come from the cache
            Assert.InRange(budget.Candidates, 1, budget.MaxCandidates);
        }
    }

    [Fact]
    public void Layers_of_cross_signed_intermediates_with_shared_names_and_keys_end_within_the_budget()
    {
        // Four layers of six keys; every key of a layer is certified under the same name by every key of the layer
        // above: 6^4 paths of the same shape, and none reaches a trusted root.
        CrossSignedMaze maze = CrossSignedMaze.Build(layers: 4, keysPerLayer: 6, trustedTop: null);
        CertificateValidator validator = PathTestKit.Validator([TestPki.Issue(null, TestPki.CaSpec("CN=Unrelated Root"))]);

        ValidationReport report = validator.ValidateCore(maze.Presented, ServerIdentity.Create(Host), out WorkBudget budget);

        Assert.False(report.IsValid);
        CertificateProblem gaveUp = Assert.Single(report.Modern.Problems, p => p.Kind == CertificateProblemKinds.WorkBudgetExceeded);
        Assert.Contains("Path building gave up after", gaveUp.Message, StringComparison.Ordinal);
        Assert.True(budget.IsExhausted);
        Assert.InRange(budget.SignatureChecks, 1, budget.MaxSignatureChecks);
        Assert.InRange(budget.Candidates, 1, budget.MaxCandidates);
    }

    [Fact]
    public void A_maze_with_one_way_out_to_a_trusted_root_is_either_solved_or_reported_as_abandoned()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Maze Exit Root"));
        CrossSignedMaze maze = CrossSignedMaze.Build(layers: 3, keysPerLayer: 5, trustedTop: root);

        foreach (int checks in new[] { 1, 5, 100, 10_000 })
        {
            ValidationReport report = PathTestKit.Validator([root], o => o.MaxSignatureChecks = checks)
                .ValidateCore(maze.Presented, ServerIdentity.Create(Host), out WorkBudget budget);

            Assert.InRange(budget.SignatureChecks, 0, checks);
            Assert.InRange(budget.Candidates, 0, budget.MaxCandidates);
            if (!report.IsValid)
            {
                // Never a confident wrong answer: a path that was not found for want of budget says so.
                Assert.True(budget.IsExhausted, string.Join(" | ", report.Modern.Problems));
                Assert.True(report.Modern.Kinds.HasFlag(CertificateProblemKinds.WorkBudgetExceeded), string.Join(" | ", report.Modern.Problems));
            }
        }

        // With the most budget the options allow, the way out is found.
        PathTestKit.AssertValid(PathTestKit.Validator([root], o => o.MaxSignatureChecks = 10_000).Validate(maze.Presented, ServerIdentity.Create(Host)));
    }

    [Fact]
    public void A_name_constraint_bomb_is_stopped_by_the_name_comparison_budget()
    {
        // 1024 permitted subtrees over a leaf of 1024 names: 2^20 comparisons, four times the budget of 2^18.
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Bomb Root"));
        X509Extension constraints = TestPki.NameConstraints([.. Enumerable.Range(0, 1024).Select(i => TestPki.DnsName($"p{i}.example.test"))], null);
        X509Certificate2 intermediate = TestPki.Issue(root, TestPki.CaSpec("CN=Bomb Intermediate") with { Extensions = [constraints] });
        string[] names = [Host, .. Enumerable.Range(0, 1023).Select(i => $"x{i}.example.test")];
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(names));

        ValidationReport report = PathTestKit.Validator([root]).ValidateCore(TestPki.Der(leaf, intermediate), ServerIdentity.Create(Host), out WorkBudget budget);

        Assert.False(report.IsValid);
        Assert.True(report.Modern.Kinds.HasFlag(CertificateProblemKinds.WorkBudgetExceeded), string.Join(" | ", report.Modern.Problems));
        Assert.True(budget.IsExhausted);
        Assert.InRange(budget.NameComparisons, 0, WorkBudget.MaxNameComparisons);
    }

    /// <summary>Layers of CA keys, each certified under its layer's one name by every key of the layer above.</summary>
    private sealed class CrossSignedMaze
    {
        private CrossSignedMaze(IReadOnlyList<ReadOnlyMemory<byte>> presented) => Presented = presented;

        /// <summary>The leaf first, then every cross-certificate in a scrambled order.</summary>
        public IReadOnlyList<ReadOnlyMemory<byte>> Presented { get; }

        public static CrossSignedMaze Build(int layers, int keysPerLayer, X509Certificate2? trustedTop)
        {
            // Key holders: one self-signed certificate (with its private key) per key, named after its layer.
            X509Certificate2[][] holders = [.. Enumerable.Range(0, layers).Select(layer =>
                Enumerable.Range(0, keysPerLayer).Select(_ => TestPki.Issue(null, TestPki.CaSpec($"CN=Maze Layer {layer}"))).ToArray())];

            var certificates = new List<X509Certificate2>();
            for (int layer = 0; layer < layers - 1; layer++)
            {
                foreach (X509Certificate2 subject in holders[layer])
                {
                    foreach (X509Certificate2 issuer in holders[layer + 1])
                    {
                        certificates.Add(TestPki.Issue(issuer, TestPki.CaSpec($"CN=Maze Layer {layer}") with { KeyOf = subject }));
                    }
                }
            }

            // The top layer: self-signed (untrusted), and, when a root is given, its last key certified by that root.
            certificates.AddRange(holders[layers - 1]);
            if (trustedTop is not null)
            {
                certificates.Add(TestPki.Issue(trustedTop, TestPki.CaSpec($"CN=Maze Layer {layers - 1}") with { KeyOf = holders[layers - 1][^1] }));
            }

            X509Certificate2 leaf = TestPki.Issue(holders[0][0], TestPki.LeafSpec(Host));
            var random = new Random(layers * 100 + keysPerLayer);
            return new CrossSignedMaze(TestPki.Der([leaf, .. certificates.OrderBy(_ => random.Next())]));
        }
    }
}
