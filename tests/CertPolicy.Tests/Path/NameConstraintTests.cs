using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.PathBuilding;

public sealed class NameConstraintTests
{
    private static readonly X509Certificate2 Root = TestPki.Issue(null, TestPki.CaSpec("CN=Constraints Root"));

    /// <summary>Root, an intermediate carrying the constraints, and a leaf; validated for the leaf's first DNS name or its IP address.</summary>
    private static ValidationReport Constrained(X509Extension constraints, TestCertificateSpec leafSpec, string? host = null)
    {
        X509Certificate2 intermediate = TestPki.Issue(Root, TestPki.CaSpec("CN=Constrained Intermediate") with { Extensions = [constraints] });
        X509Certificate2 leaf = TestPki.Issue(intermediate, leafSpec);
        string identity = host ?? (leafSpec.DnsNames.Count > 0 ? leafSpec.DnsNames[0] : leafSpec.IPAddresses[0].ToString());
        return Validator([Root]).Validate(TestPki.Der(leaf, intermediate), ServerIdentity.Create(identity));
    }

    private static TestCertificateSpec LeafFor(params string[] names) => TestPki.LeafSpec(names);

    [Theory]
    [InlineData("example.test", "example.test", true)]
    [InlineData("example.test", "www.example.test", true)]
    [InlineData("example.test", "a.b.example.test", true)]
    [InlineData("example.test", "notexample.test", false)]
    [InlineData("example.test", "example.test.evil", false)]
    [InlineData("www.example.test", "example.test", false)]
    public void A_permitted_dns_subtree_admits_the_name_and_names_below_it(string permitted, string name, bool valid)
    {
        ValidationReport report = Constrained(TestPki.NameConstraints([TestPki.DnsName(permitted)], null), LeafFor(name));

        Assert.Equal(valid, report.IsValid);
        if (!valid)
        {
            AssertOnly(report, CertificateProblemKinds.NameConstraintViolation);
            Assert.Equal(0, report.Of(CertificateProblemKinds.NameConstraintViolation).Single().ChainPosition);
        }
    }

    [Theory]
    [InlineData("example.test", "example.test", false)]
    [InlineData("example.test", "www.example.test", false)]
    [InlineData("example.test", "example2.test", true)]
    public void An_excluded_dns_subtree_refuses_the_name_and_names_below_it(string excluded, string name, bool valid) =>
        Assert.Equal(valid, Constrained(TestPki.NameConstraints(null, [TestPki.DnsName(excluded)]), LeafFor(name)).IsValid);

    [Fact]
    public void Every_name_of_the_certificate_is_checked_not_only_the_one_asked_for() =>
        AssertOnly(Constrained(TestPki.NameConstraints(null, [TestPki.DnsName("forbidden.example.test")]), LeafFor("ok.example.test", "forbidden.example.test")), CertificateProblemKinds.NameConstraintViolation);

    [Fact]
    public void Exclusion_wins_over_permission() =>
        AssertOnly(Constrained(TestPki.NameConstraints([TestPki.DnsName("example.test")], [TestPki.DnsName("example.test")]), LeafFor("example.test")), CertificateProblemKinds.NameConstraintViolation);

    [Fact]
    public void A_wildcard_is_refused_when_it_could_match_an_excluded_name() =>
        AssertOnly(Constrained(TestPki.NameConstraints([TestPki.DnsName("example.test")], [TestPki.DnsName("bar.example.test")]), LeafFor("*.example.test"), "foo.example.test"), CertificateProblemKinds.NameConstraintViolation);

    [Fact]
    public void A_wildcard_is_refused_when_it_could_match_names_outside_the_permitted_subtree() =>
        AssertOnly(Constrained(TestPki.NameConstraints([TestPki.DnsName("foo.example.test")], null), LeafFor("*.example.test"), "foo.example.test"), CertificateProblemKinds.NameConstraintViolation);

    [Fact]
    public void A_wildcard_inside_the_permitted_subtree_is_valid() =>
        AssertValid(Constrained(TestPki.NameConstraints([TestPki.DnsName("example.test")], null), LeafFor("*.example.test"), "foo.example.test"));

    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.1", true)]
    [InlineData("192.0.2.0/24", "192.0.3.1", false)]
    [InlineData("2001:db8::/32", "2001:db8::1", true)]
    [InlineData("2001:db8::/32", "2001:db9::1", false)]
    [InlineData("192.0.2.0/24", "2001:db8::1", false)]
    public void A_permitted_ip_range_admits_addresses_inside_it(string range, string address, bool valid)
    {
        TestCertificateSpec leaf = TestPki.LeafSpec() with { Subject = "CN=device", IPAddresses = [IPAddress.Parse(address)] };
        Assert.Equal(valid, Constrained(TestPki.NameConstraints([TestPki.IPSubtree(range)], null), leaf).IsValid);
    }

    [Fact]
    public void An_excluded_ip_range_refuses_addresses_inside_it()
    {
        TestCertificateSpec leaf = TestPki.LeafSpec() with { Subject = "CN=device", IPAddresses = [IPAddress.Parse("192.0.2.7")] };
        AssertOnly(Constrained(TestPki.NameConstraints(null, [TestPki.IPSubtree("192.0.2.0/24")]), leaf), CertificateProblemKinds.NameConstraintViolation);
    }

    [Fact]
    public void A_constraint_of_another_form_does_not_restrict_dns_names() =>
        AssertValid(Constrained(TestPki.NameConstraints([TestPki.IPSubtree("192.0.2.0/24")], [TestPki.IPSubtree("198.51.100.0/24")]), LeafFor("example.test")));

    [Fact]
    public void A_permitted_directory_name_applies_to_the_subject()
    {
        // X.500 text lists the most specific RDN first; the encoded name starts with O.
        X509Extension constraint = TestPki.NameConstraints([TestPki.DirectoryName("O=Example")], null);

        AssertValid(Constrained(constraint, LeafFor("example.test") with { Subject = "CN=example.test, O=Example" }));
        AssertOnly(Constrained(constraint, LeafFor("example.test") with { Subject = "CN=example.test, O=Elsewhere" }), CertificateProblemKinds.NameConstraintViolation);
    }

    [Fact]
    public void Directory_names_compare_without_regard_to_case_or_extra_spaces() =>
        AssertValid(Constrained(TestPki.NameConstraints([TestPki.DirectoryName("O=Example  Corp")], null), LeafFor("example.test") with { Subject = "CN=example.test, O=example corp" }));

    [Fact]
    public void An_excluded_directory_name_applies_to_the_subject() =>
        AssertOnly(Constrained(TestPki.NameConstraints(null, [TestPki.DirectoryName("O=Banned")]), LeafFor("example.test") with { Subject = "CN=example.test, O=Banned" }), CertificateProblemKinds.NameConstraintViolation);

    [Theory]
    [InlineData("user@example.test", "user@example.test", true)]
    [InlineData("user@example.test", "other@example.test", false)]
    [InlineData("*@example.test", "user@example.test", false)]
    [InlineData("example.test", "anyone@example.test", true)]
    [InlineData("example.test", "anyone@sub.example.test", false)]
    [InlineData(".example.test", "anyone@sub.example.test", true)]
    [InlineData(".example.test", "anyone@example.test", false)]
    public void Mailbox_constraints_follow_rfc_5280(string permitted, string mailbox, bool valid)
    {
        X509Certificate2 intermediate = TestPki.Issue(Root, TestPki.CaSpec("CN=Mail CA") with { Extensions = [TestPki.NameConstraints([TestPki.EmailName(permitted)], null)] });
        X509Certificate2 leaf = TestPki.Issue(intermediate, new TestCertificateSpec
        {
            Subject = "CN=Mail User",
            KeyUsage = X509KeyUsageFlags.DigitalSignature,
            ExtendedKeyUsages = [CertificateValidatorOptions.ClientAuthenticationOid],
            EmailAddresses = [mailbox],
        });

        ValidationReport report = Validator([Root], o => o.RequiredExtendedKeyUsage = CertificateValidatorOptions.ClientAuthenticationOid)
            .ValidateWithoutIdentity(TestPki.Der(leaf, intermediate));

        Assert.Equal(valid, report.IsValid);
    }

    [Fact]
    public void Constraints_apply_to_intermediates_below_the_constraining_ca()
    {
        X509Certificate2 constraining = TestPki.Issue(Root, TestPki.CaSpec("CN=Constraining") with { Extensions = [TestPki.NameConstraints(null, [TestPki.DnsName("forbidden.example.test")])] });
        X509Certificate2 below = TestPki.Issue(constraining, TestPki.CaSpec("CN=Below") with { DnsNames = ["forbidden.example.test"] });
        X509Certificate2 leaf = TestPki.Issue(below, TestPki.LeafSpec("permitted.example.test"));

        ValidationReport report = Validator([Root]).Validate(TestPki.Der(leaf, below, constraining), ServerIdentity.Create("permitted.example.test"));

        AssertOnly(report, CertificateProblemKinds.NameConstraintViolation);
        Assert.Equal(1, report.Of(CertificateProblemKinds.NameConstraintViolation).Single().ChainPosition);
    }

    [Fact]
    public void Constraints_of_every_ca_in_the_path_apply_so_permissions_only_narrow()
    {
        X509Certificate2 narrow = TestPki.Issue(Root, TestPki.CaSpec("CN=Narrow") with { Extensions = [TestPki.NameConstraints([TestPki.DnsName("bar.example.test")], null)] });
        X509Certificate2 wide = TestPki.Issue(narrow, TestPki.CaSpec("CN=Wide") with { Extensions = [TestPki.NameConstraints([TestPki.DnsName("foo.example.test"), TestPki.DnsName("bar.example.test")], null)] });
        X509Certificate2 leaf = TestPki.Issue(wide, TestPki.LeafSpec("foo.example.test"));

        AssertOnly(Validator([Root]).Validate(TestPki.Der(leaf, wide, narrow), ServerIdentity.Create("foo.example.test")), CertificateProblemKinds.NameConstraintViolation);
    }

    [Fact]
    public void Constraints_of_the_trust_anchor_apply()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Constrained Root") with { Extensions = [TestPki.NameConstraints([TestPki.DnsName("example.test")], null)] });
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec("example.org"));

        AssertOnly(Validator([root]).Validate(TestPki.Der(leaf), ServerIdentity.Create("example.org")), CertificateProblemKinds.NameConstraintViolation);
    }

    [Fact]
    public void A_path_around_a_constraining_ca_is_found_when_one_exists()
    {
        // The same intermediate key is certified under a constraining CA (its SAN forbidden there) and under a second root.
        X509Certificate2 otherRoot = TestPki.Issue(null, TestPki.CaSpec("CN=Other Root"));
        X509Certificate2 constraining = TestPki.Issue(Root, TestPki.CaSpec("CN=Constraining CA") with { Extensions = [TestPki.NameConstraints(null, [TestPki.DnsName("forbidden.example.test")])] });
        X509Certificate2 viaConstraining = TestPki.Issue(constraining, TestPki.CaSpec("CN=Shared CA") with { DnsNames = ["forbidden.example.test"] });
        X509Certificate2 viaOther = TestPki.Issue(otherRoot, TestPki.CaSpec("CN=Shared CA") with { KeyOf = viaConstraining });
        X509Certificate2 leaf = TestPki.Issue(viaConstraining, TestPki.LeafSpec(Host));

        ValidationReport report = Validator([Root, otherRoot]).Validate(leaf, viaConstraining, constraining, viaOther);

        AssertValid(report);
        Assert.Equal("CN=Other Root", report.Path[^1].Subject);
    }

    [Theory]
    [InlineData("*.example.test")]
    [InlineData(".example.test")]
    [InlineData("exa mple.test")]
    public void A_malformed_dns_constraint_makes_the_ca_unusable(string constraint) =>
        AssertMalformedConstraint(Constrained(TestPki.NameConstraints([TestPki.DnsName(constraint)], null), LeafFor("foo.example.test")));

    [Fact]
    public void An_ip_constraint_without_a_mask_makes_the_ca_unusable()
    {
        TestCertificateSpec leaf = TestPki.LeafSpec() with { Subject = "CN=device", IPAddresses = [IPAddress.Loopback] };
        AssertMalformedConstraint(Constrained(TestPki.NameConstraints([TestPki.RawOctets(7, [127, 0, 0, 1])], null), leaf));
    }

    [Fact]
    public void An_ip_constraint_with_a_non_contiguous_mask_makes_the_ca_unusable()
    {
        TestCertificateSpec leaf = TestPki.LeafSpec() with { Subject = "CN=device", IPAddresses = [IPAddress.Loopback] };
        AssertMalformedConstraint(Constrained(TestPki.NameConstraints([TestPki.RawOctets(7, [127, 0, 0, 0, 255, 0, 255, 0])], null), leaf));
    }

    [Fact]
    public void Empty_name_constraints_make_the_ca_unusable() =>
        AssertOnly(Constrained(TestPki.NameConstraints(null, null), LeafFor(Host)), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_malformed_name_under_a_constraint_of_its_form_violates_it()
    {
        X509Extension san = TestPki.SubjectAlternativeName([TestPki.DnsName("foo.example.test"), TestPki.DnsName(".example.test")]);
        TestCertificateSpec leaf = TestPki.LeafSpec() with { Subject = "CN=foo.example.test", Extensions = [san] };

        AssertOnly(Constrained(TestPki.NameConstraints([TestPki.DnsName("example.test")], null), leaf, "foo.example.test"), CertificateProblemKinds.NameConstraintViolation);
    }

    [Fact]
    public void A_name_form_that_cannot_be_evaluated_is_refused_only_when_a_constraint_of_that_form_exists()
    {
        byte[] registeredId = [0x88, 0x03, 0x2A, 0x03, 0x04];
        X509Extension san = TestPki.SubjectAlternativeName([TestPki.DnsName(Host), registeredId]);
        TestCertificateSpec leaf = TestPki.LeafSpec() with { Subject = "CN=" + Host, Extensions = [san] };

        AssertValid(Constrained(TestPki.NameConstraints([TestPki.DnsName("example.test")], null), leaf, Host));
        AssertOnly(Constrained(TestPki.NameConstraints(null, [registeredId]), leaf, Host), CertificateProblemKinds.NameConstraintViolation);
    }

    [Fact]
    public void Uri_constraints_restrict_the_host_of_uris()
    {
        X509Extension constraint = TestPki.NameConstraints([TestPki.UriName(".example.test")], null);
        X509Extension inside = TestPki.SubjectAlternativeName([TestPki.DnsName(Host), TestPki.UriName("https://api.example.test/x")]);
        X509Extension outside = TestPki.SubjectAlternativeName([TestPki.DnsName(Host), TestPki.UriName("https://api.evil.test/x")]);

        AssertValid(Constrained(constraint, TestPki.LeafSpec() with { Subject = "CN=" + Host, Extensions = [inside] }, Host));
        AssertOnly(Constrained(constraint, TestPki.LeafSpec() with { Subject = "CN=" + Host, Extensions = [outside] }, Host), CertificateProblemKinds.NameConstraintViolation);
    }

    private static void AssertMalformedConstraint(ValidationReport report)
    {
        Assert.False(report.IsValid);
        CertificateProblem malformed = report.Of(CertificateProblemKinds.NonConformingCertificate).Single();
        Assert.Equal(1, malformed.ChainPosition);
        Assert.Contains("nameConstraints is malformed", malformed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thousands_of_names_against_thousands_of_constraints_end_with_the_budget()
    {
        var bases = Enumerable.Range(0, 1100).Select(i => TestPki.DnsName($"n{i}.example.test")).ToList();
        X509Certificate2 intermediate = TestPki.Issue(Root, TestPki.CaSpec("CN=Many Constraints") with { Extensions = [TestPki.NameConstraints(bases, bases)] });
        string[] names = [Host, .. Enumerable.Range(0, 300).Select(i => $"x{i}.example.test")];
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(names));

        ValidationReport report = Validator([Root]).ValidateCore(TestPki.Der(leaf, intermediate), ServerIdentity.Create(Host), out WorkBudget budget);

        Assert.True(report.Kinds().HasFlag(CertificateProblemKinds.WorkBudgetExceeded), string.Join(" | ", report.Modern.Problems));
        Assert.InRange(budget.NameComparisons, 0, WorkBudget.MaxNameComparisons);

        // The report names the work that broke the budget: 301 SAN names plus the subject's against 2200 subtrees.
        string message = report.Of(CertificateProblemKinds.WorkBudgetExceeded).Single().Message;
        Assert.Contains("checking 303 name(s) of \"CN=server.example.test\" against 2200 name-constraint subtree(s)", message, StringComparison.Ordinal);
        Assert.Contains($"limit of {WorkBudget.MaxNameComparisons}", message, StringComparison.Ordinal);
    }
}
