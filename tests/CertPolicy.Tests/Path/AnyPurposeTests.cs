using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.PathBuilding;

/// <summary>The validator's internal any-purpose mode, which the x509-limbo harness uses for cases that name no purpose.</summary>
public sealed class AnyPurposeTests
{
    private const string CodeSigning = "1.3.6.1.5.5.7.3.3";

    [Fact]
    public void Any_purpose_accepts_a_path_whose_extended_key_usages_name_another_purpose()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Any Purpose Root"));
        X509Certificate2 intermediate = TestPki.Issue(root, TestPki.CaSpec("CN=Code Signing CA") with { ExtendedKeyUsages = [CodeSigning] });
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec("signer.example.test") with { ExtendedKeyUsages = [CodeSigning] });

        ValidationReport serverAuth = Create(root, anyPurpose: false).ValidateWithoutIdentity(TestPki.Der(leaf, intermediate));
        ValidationReport any = Create(root, anyPurpose: true).ValidateWithoutIdentity(TestPki.Der(leaf, intermediate));

        Assert.True(serverAuth.Modern.Kinds.HasFlag(CertificateProblemKinds.MissingExtendedKeyUsage));
        Assert.True(any.IsValid, string.Join(" | ", any.Modern.Problems));
    }

    [Fact]
    public void Any_purpose_still_requires_the_leaf_to_carry_extended_key_usage()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Any Purpose Root"));
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec("plain.example.test") with { ExtendedKeyUsages = null });

        ValidationReport report = Create(root, anyPurpose: true).ValidateWithoutIdentity(TestPki.Der(leaf));

        CertificateProblem problem = Assert.Single(report.Modern.Problems);
        Assert.Equal(CertificateProblemKinds.MissingExtendedKeyUsage, problem.Kind);
        Assert.Contains("subscriber certificate", problem.Message, StringComparison.Ordinal);
    }

    private static CertificateValidator Create(X509Certificate2 root, bool anyPurpose) =>
        new(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([root]) }, new FakeTimeProvider(TestPki.Now)) { AnyPurpose = anyPurpose };
}
