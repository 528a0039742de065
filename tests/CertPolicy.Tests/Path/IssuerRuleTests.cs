using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.PathBuilding;

public sealed class IssuerRuleTests
{
    private static readonly X509Certificate2 Root = TestPki.Issue(null, TestPki.CaSpec("CN=Issuer Rules Root"));

    /// <summary>Validates root, an intermediate made from the changed CA spec, and a leaf below it.</summary>
    private static ValidationReport Intermediate(Func<TestCertificateSpec, TestCertificateSpec> change, Action<CertificateValidatorOptions>? configure = null)
    {
        X509Certificate2 intermediate = TestPki.Issue(Root, change(TestPki.CaSpec("CN=Issuer Rules Intermediate")));
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(Host));
        return Validator([Root], configure).Validate(leaf, intermediate);
    }

    /// <summary>Validates a root made from the changed CA spec (trusted) and a leaf below it.</summary>
    private static ValidationReport RootOf(Func<TestCertificateSpec, TestCertificateSpec> change)
    {
        X509Certificate2 root = TestPki.Issue(null, change(TestPki.CaSpec("CN=Changed Root")));
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host));
        return Validator([root]).Validate(leaf);
    }

    [Fact]
    public void A_well_formed_intermediate_is_valid() => AssertValid(Intermediate(s => s));

    [Fact]
    public void An_issuer_that_is_not_a_ca_is_refused()
    {
        ValidationReport report = Intermediate(s => s with { IsCertificateAuthority = false, KeyUsage = X509KeyUsageFlags.DigitalSignature });

        Assert.True(report.Kinds().HasFlag(CertificateProblemKinds.NotCertificateAuthority), string.Join(" | ", report.Modern.Problems));
        Assert.Equal(1, report.Of(CertificateProblemKinds.NotCertificateAuthority).Single().ChainPosition);
    }

    [Fact]
    public void An_issuer_without_basic_constraints_is_not_a_ca() =>
        Assert.True(Intermediate(s => s with { IsCertificateAuthority = null, KeyUsage = null }).Kinds().HasFlag(CertificateProblemKinds.NotCertificateAuthority));

    [Fact]
    public void An_issuer_whose_key_usage_lacks_key_cert_sign_is_refused() =>
        Assert.True(Intermediate(s => s with { KeyUsage = X509KeyUsageFlags.CrlSign }).Kinds().HasFlag(CertificateProblemKinds.InvalidKeyUsage));

    [Fact]
    public void An_issuer_without_key_usage_is_accepted() => AssertValid(Intermediate(s => s with { KeyUsage = null }));

    [Fact]
    public void A_ca_without_subject_key_identifier_is_non_conforming() =>
        AssertOnly(Intermediate(s => s with { IncludeSubjectKeyIdentifier = false }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void An_intermediate_without_authority_key_identifier_is_non_conforming() =>
        AssertOnly(Intermediate(s => s with { IncludeAuthorityKeyIdentifier = false }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_non_critical_basic_constraints_in_a_ca_is_non_conforming() =>
        AssertOnly(Intermediate(s => s with { BasicConstraintsCritical = false }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void An_unknown_critical_extension_in_an_intermediate_is_refused() =>
        AssertOnly(Intermediate(s => s with { Extensions = [new X509Extension("1.3.6.1.4.1.55738.666.1", [0x05, 0x00], true)] }), CertificateProblemKinds.UnhandledCriticalExtension);

    [Fact]
    public void An_unknown_critical_extension_in_an_unused_intermediate_does_not_matter()
    {
        X509Certificate2 good = TestPki.Issue(Root, TestPki.CaSpec("CN=Good Intermediate"));
        X509Certificate2 unused = TestPki.Issue(Root, TestPki.CaSpec("CN=Unused Intermediate") with { Extensions = [new X509Extension("1.3.6.1.4.1.55738.666.1", [0x05, 0x00], true)] });
        X509Certificate2 leaf = TestPki.Issue(good, TestPki.LeafSpec(Host));

        AssertValid(Validator([Root]).Validate(leaf, unused, good));
    }

    [Fact]
    public void An_intermediate_whose_extended_key_usage_lacks_the_purpose_restricts_it() =>
        AssertOnly(Intermediate(s => s with { ExtendedKeyUsages = [CertificateValidatorOptions.ClientAuthenticationOid] }), CertificateProblemKinds.MissingExtendedKeyUsage);

    [Theory]
    [InlineData(CertificateValidatorOptions.ServerAuthenticationOid)]
    [InlineData("2.5.29.37.0")]
    public void An_intermediate_whose_extended_key_usage_allows_the_purpose_is_valid(string purpose) =>
        AssertValid(Intermediate(s => s with { ExtendedKeyUsages = [purpose, CertificateValidatorOptions.ClientAuthenticationOid] }));

    [Fact]
    public void An_intermediate_without_extended_key_usage_is_unrestricted() => AssertValid(Intermediate(s => s with { ExtendedKeyUsages = null }));

    [Fact]
    public void An_expired_intermediate_is_reported_at_its_position()
    {
        ValidationReport report = Intermediate(s => s with { NotAfter = TestPki.Now.AddDays(-1) });

        AssertOnly(report, CertificateProblemKinds.Expired);
        Assert.Equal(1, report.Of(CertificateProblemKinds.Expired).Single().ChainPosition);
        Assert.Equal("CN=Issuer Rules Intermediate", report.Of(CertificateProblemKinds.Expired).Single().Subject);
    }

    [Fact]
    public void An_expired_root_is_reported()
    {
        ValidationReport report = RootOf(s => s with { NotAfter = TestPki.Now.AddDays(-1) });

        AssertOnly(report, CertificateProblemKinds.Expired);
        Assert.Equal(1, report.Of(CertificateProblemKinds.Expired).Single().ChainPosition);
    }

    [Fact]
    public void A_root_with_extended_key_usage_is_non_conforming() =>
        AssertOnly(RootOf(s => s with { ExtendedKeyUsages = [CertificateValidatorOptions.ServerAuthenticationOid] }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_root_without_basic_constraints_is_not_a_ca() =>
        Assert.True(RootOf(s => s with { IsCertificateAuthority = null }).Kinds().HasFlag(CertificateProblemKinds.NotCertificateAuthority));

    [Fact]
    public void A_root_that_may_not_sign_certificates_is_refused() =>
        Assert.False(RootOf(s => s with { KeyUsage = X509KeyUsageFlags.CrlSign }).IsValid);

    [Fact]
    public void A_weak_rsa_root_is_refused() =>
        Assert.True(RootOf(s => s with { Key = TestKeyKind.Rsa1024 }).Kinds().HasFlag(CertificateProblemKinds.WeakKey));

    [Fact]
    public void A_p192_root_is_refused() =>
        Assert.True(RootOf(s => s with { Key = TestKeyKind.EcdsaP192 }).Kinds().HasFlag(CertificateProblemKinds.WeakKey));

    [Fact]
    public void An_unknown_critical_extension_in_the_root_is_refused() =>
        AssertOnly(RootOf(s => s with { Extensions = [new X509Extension("1.3.6.1.4.1.55738.666.1", [0x05, 0x00], true)] }), CertificateProblemKinds.UnhandledCriticalExtension);

    [Fact]
    public void A_critical_subject_key_identifier_is_non_conforming()
    {
        ValidationReport report = RootOf(s => s with
        {
            IncludeSubjectKeyIdentifier = false,
            Extensions = [new X509Extension("2.5.29.14", new X509SubjectKeyIdentifierExtension("0102030405", false).RawData, true)],
        });

        AssertOnly(report, CertificateProblemKinds.NonConformingCertificate);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void A_self_signed_root_that_names_a_key_must_name_its_own(bool sameKey, bool valid)
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Named Key Root"));
        byte[] ski = ((X509SubjectKeyIdentifierExtension)root.Extensions["2.5.29.14"]!).SubjectKeyIdentifierBytes.ToArray();
        byte[] named = sameKey ? ski : [.. ski.Reverse()];
        X509Extension aki = X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(named);
        byte[] rootDer = TestPki.ResignExtensions(root, root, extensions => [.. extensions, ExtensionDer(aki)]);
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host));

        var store = new DerStore(rootDer);
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = store }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestPki.Now));
        ValidationReport report = validator.Validate(leaf);

        Assert.Equal(valid, report.IsValid);
        if (!valid)
        {
            AssertOnly(report, CertificateProblemKinds.NonConformingCertificate);
        }
    }

    [Fact]
    public void A_root_whose_authority_key_identifier_names_issuer_and_serial_is_non_conforming()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Old Style Root"));
        X509Extension aki = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, includeKeyIdentifier: true, includeIssuerAndSerial: true);
        byte[] rootDer = TestPki.ResignExtensions(root, root, extensions => [.. extensions, ExtensionDer(aki)]);
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host));

        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = new DerStore(rootDer) }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestPki.Now));

        AssertOnly(validator.Validate(leaf), CertificateProblemKinds.NonConformingCertificate);
    }

    [Fact]
    public void An_intermediate_as_anchor_needs_no_authority_key_identifier()
    {
        // The AKI presence rule binds the CA that issued the certificate, not the trust decision (RFC 5280 6.1.1 (d)).
        X509Certificate2 crossSigned = TestPki.Issue(Root, TestPki.CaSpec("CN=Cross Signed Anchor") with { IncludeAuthorityKeyIdentifier = false });
        X509Certificate2 leaf = TestPki.Issue(crossSigned, TestPki.LeafSpec(Host));

        AssertValid(Validator([crossSigned]).Validate(leaf));
    }

    [Fact]
    public void An_intermediate_without_authority_key_identifier_is_refused_when_it_is_not_the_anchor()
    {
        X509Certificate2 crossSigned = TestPki.Issue(Root, TestPki.CaSpec("CN=Cross Signed Intermediate") with { IncludeAuthorityKeyIdentifier = false });
        X509Certificate2 leaf = TestPki.Issue(crossSigned, TestPki.LeafSpec(Host));

        ValidationReport report = Validator([Root]).Validate(leaf, crossSigned);

        AssertOnly(report, CertificateProblemKinds.NonConformingCertificate);
        Assert.Equal(1, report.Modern.Problems.Single().ChainPosition);
    }

    private static byte[] ExtensionDer(X509Extension extension)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(extension.Oid!.Value!);
            if (extension.Critical)
            {
                writer.WriteBoolean(true);
            }

            writer.WriteOctetString(extension.RawData);
        }

        return writer.Encode();
    }

    private sealed class DerStore(byte[] der) : TrustStore
    {
        private readonly TrustAnchors _anchors = new([der]);

        public override TrustAnchors GetAnchors() => _anchors;
    }

    [Fact]
    public void Path_length_zero_allows_a_leaf_but_no_further_ca()
    {
        X509Certificate2 first = TestPki.Issue(Root, TestPki.CaSpec("CN=PathLen Zero", pathLength: 0));
        X509Certificate2 second = TestPki.Issue(first, TestPki.CaSpec("CN=Below PathLen Zero"));
        X509Certificate2 leafOfFirst = TestPki.Issue(first, TestPki.LeafSpec(Host));
        X509Certificate2 leafOfSecond = TestPki.Issue(second, TestPki.LeafSpec(Host));

        AssertValid(Validator([Root]).Validate(leafOfFirst, first));
        ValidationReport report = Validator([Root]).Validate(leafOfSecond, second, first);
        AssertOnly(report, CertificateProblemKinds.PathLengthExceeded);
        Assert.Equal(2, report.Of(CertificateProblemKinds.PathLengthExceeded).Single().ChainPosition);
    }

    [Fact]
    public void A_path_length_may_grow_below_a_smaller_one_without_breaking_the_smaller()
    {
        X509Certificate2 first = TestPki.Issue(Root, TestPki.CaSpec("CN=PathLen One", pathLength: 1));
        X509Certificate2 second = TestPki.Issue(first, TestPki.CaSpec("CN=PathLen Two", pathLength: 2));
        X509Certificate2 leaf = TestPki.Issue(second, TestPki.LeafSpec(Host));

        AssertValid(Validator([Root]).Validate(leaf, second, first));
    }

    [Fact]
    public void Self_issued_intermediates_do_not_count_against_path_length()
    {
        X509Certificate2 first = TestPki.Issue(Root, TestPki.CaSpec("CN=Rollover CA", pathLength: 0));
        X509Certificate2 rollover = TestPki.Issue(first, TestPki.CaSpec("CN=Rollover CA", pathLength: 0));
        X509Certificate2 leaf = TestPki.Issue(rollover, TestPki.LeafSpec(Host));

        AssertValid(Validator([Root]).Validate(leaf, rollover, first));
    }

    [Fact]
    public void Path_length_of_the_root_applies()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Root PathLen Zero", pathLength: 0));
        X509Certificate2 intermediate = TestPki.Issue(root, TestPki.CaSpec("CN=Under Root PathLen Zero"));
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(Host));

        AssertOnly(Validator([root]).Validate(leaf, intermediate), CertificateProblemKinds.PathLengthExceeded);
    }
}
