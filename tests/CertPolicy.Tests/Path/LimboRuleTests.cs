using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.PathBuilding;

/// <summary>
/// Rules checked against scenarios of the full x509-limbo suite that the local copy of the suite does not hold:
/// each test rebuilds the scenario's chain and asserts the verdict and the kind of problem.
/// </summary>
public sealed class LimboRuleTests
{
    private const string EmailProtection = "1.3.6.1.5.5.7.3.4";

    private static readonly X509Certificate2 Root = TestPki.Issue(null, TestPki.CaSpec("CN=Limbo Rules Root"));

    private static ValidationReport ConstrainedBy(X509Extension constraints, TestCertificateSpec leafSpec, string host)
    {
        X509Certificate2 intermediate = TestPki.Issue(Root, TestPki.CaSpec("CN=Constrained Intermediate") with { Extensions = [constraints] });
        X509Certificate2 leaf = TestPki.Issue(intermediate, leafSpec);
        return Validator([Root]).Validate(TestPki.Der(leaf, intermediate), ServerIdentity.Create(host));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_subtree_list_that_is_present_but_empty_makes_the_ca_unusable(bool permittedIsEmpty)
    {
        X509Extension constraints = permittedIsEmpty
            ? TestPki.NameConstraints([], [TestPki.DnsName("forbidden.example.test")])
            : TestPki.NameConstraints([TestPki.DnsName("example.test")], []);

        ValidationReport report = ConstrainedBy(constraints, TestPki.LeafSpec(Host), Host);

        AssertOnly(report, CertificateProblemKinds.MalformedCertificate);
        Assert.Equal(1, report.Of(CertificateProblemKinds.MalformedCertificate).Single().ChainPosition);
    }

    [Fact]
    public void The_same_constraints_without_the_empty_list_are_honoured() =>
        AssertValid(ConstrainedBy(TestPki.NameConstraints(null, [TestPki.DnsName("forbidden.example.test")]), TestPki.LeafSpec(Host), Host));

    [Fact]
    public void Name_constraints_skip_a_self_issued_intermediate_but_not_the_leaf_below_it()
    {
        // A root constrained to example.test whose own name is outside it, a self-issued re-key of that root as
        // intermediate (also outside), and a leaf inside: the self-issued certificate is exempt (RFC 5280 6.1.3 (b)).
        X509Extension constraints = TestPki.NameConstraints([TestPki.DnsName("example.test")], null);
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=elsewhere.test") with { DnsNames = ["elsewhere.test"], Extensions = [constraints] });
        X509Certificate2 rekeyed = TestPki.Issue(root, TestPki.CaSpec("CN=elsewhere.test") with { DnsNames = ["elsewhere.test"] });

        AssertValid(Validator([root]).Validate(TestPki.Issue(rekeyed, TestPki.LeafSpec(Host)), rekeyed));

        X509Certificate2 outside = TestPki.Issue(rekeyed, TestPki.LeafSpec("server.elsewhere.test"));
        ValidationReport report = Validator([root]).Validate(TestPki.Der(outside, rekeyed), ServerIdentity.Create("server.elsewhere.test"));
        AssertOnly(report, CertificateProblemKinds.NameConstraintViolation);
        Assert.Equal(0, report.Of(CertificateProblemKinds.NameConstraintViolation).Single().ChainPosition);
    }

    [Theory]
    [InlineData("CN=0xC0A80101", "192.168.1.1")]
    [InlineData("CN=2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    public void A_common_name_writing_a_san_address_in_another_form_is_refused(string subject, string address)
    {
        TestCertificateSpec spec = TestPki.LeafSpec() with { Subject = subject, IPAddresses = [IPAddress.Parse(address)] };

        ValidationReport report = Validator([Root]).Validate(TestPki.Der(TestPki.Issue(Root, spec)), ServerIdentity.Create(address));

        AssertOnly(report, CertificateProblemKinds.NonConformingCertificate);
    }

    [Fact]
    public void An_smime_leaf_with_a_non_critical_key_usage_is_valid() =>
        AssertValid(Smime(leaf => leaf with { KeyUsageCritical = false }));

    [Fact]
    public void An_smime_leaf_with_a_critical_key_usage_is_valid() => AssertValid(Smime(leaf => leaf));

    [Fact]
    public void An_smime_leaf_without_key_usage_is_refused() =>
        AssertOnly(Smime(leaf => leaf with { KeyUsage = null }), CertificateProblemKinds.InvalidKeyUsage);

    [Fact]
    public void An_smime_leaf_without_a_mailbox_is_refused() =>
        AssertOnly(Smime(leaf => leaf with { EmailAddresses = [], DnsNames = ["example.test"] }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void An_smime_leaf_that_also_serves_tls_is_refused() =>
        AssertOnly(Smime(leaf => leaf with { ExtendedKeyUsages = [EmailProtection, CertificateValidatorOptions.ServerAuthenticationOid] }), CertificateProblemKinds.MissingExtendedKeyUsage);

    [Fact]
    public void An_smime_intermediate_for_tls_only_is_refused() =>
        AssertOnly(Smime(leaf => leaf, ca => ca with { ExtendedKeyUsages = [CertificateValidatorOptions.ServerAuthenticationOid] }), CertificateProblemKinds.MissingExtendedKeyUsage);

    [Fact]
    public void An_smime_intermediate_that_may_not_sign_crls_is_refused() =>
        AssertOnly(Smime(leaf => leaf, ca => ca with { KeyUsage = X509KeyUsageFlags.KeyCertSign }), CertificateProblemKinds.InvalidKeyUsage);

    /// <summary>Root, an S/MIME intermediate (emailProtection, keyCertSign and cRLSign) and a mailbox leaf, validated for emailProtection.</summary>
    private static ValidationReport Smime(Func<TestCertificateSpec, TestCertificateSpec> changeLeaf, Func<TestCertificateSpec, TestCertificateSpec>? changeIntermediate = null)
    {
        TestCertificateSpec intermediateSpec = TestPki.CaSpec("CN=Mail CA", pathLength: 0) with { ExtendedKeyUsages = [EmailProtection] };
        X509Certificate2 intermediate = TestPki.Issue(Root, (changeIntermediate ?? (s => s))(intermediateSpec));
        TestCertificateSpec leafSpec = TestPki.LeafSpec() with
        {
            Subject = "CN=user",
            ExtendedKeyUsages = [EmailProtection],
            EmailAddresses = ["user@example.test"],
        };
        X509Certificate2 leaf = TestPki.Issue(intermediate, changeLeaf(leafSpec));
        CertificateValidator validator = Validator([Root], o => o.RequiredExtendedKeyUsage = EmailProtection);
        return validator.ValidateWithoutIdentity(TestPki.Der(leaf, intermediate));
    }
}
