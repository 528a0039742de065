using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.PathBuilding;

public sealed class LeafRuleTests
{
    private static readonly X509Certificate2 Root = TestPki.Issue(null, TestPki.CaSpec("CN=Leaf Rules Root"));

    private static ValidationReport Leaf(Func<TestCertificateSpec, TestCertificateSpec> change, Action<CertificateValidatorOptions>? configure = null, DateTimeOffset? now = null) =>
        Validator([Root], configure, now).Validate(TestPki.Issue(Root, change(TestPki.LeafSpec(Host))));

    [Fact]
    public void A_well_formed_leaf_is_valid() => AssertValid(Leaf(s => s));

    [Fact]
    public void A_leaf_without_extended_key_usage_is_refused() =>
        AssertOnly(Leaf(s => s with { ExtendedKeyUsages = null }), CertificateProblemKinds.MissingExtendedKeyUsage);

    [Fact]
    public void A_leaf_for_client_authentication_only_is_refused_for_a_server() =>
        AssertOnly(Leaf(s => s with { ExtendedKeyUsages = [CertificateValidatorOptions.ClientAuthenticationOid] }), CertificateProblemKinds.MissingExtendedKeyUsage);

    [Fact]
    public void A_leaf_for_server_and_client_authentication_is_valid() =>
        AssertValid(Leaf(s => s with { ExtendedKeyUsages = [CertificateValidatorOptions.ServerAuthenticationOid, CertificateValidatorOptions.ClientAuthenticationOid] }));

    [Fact]
    public void A_leaf_with_any_extended_key_usage_is_refused() =>
        AssertOnly(Leaf(s => s with { ExtendedKeyUsages = [CertificateValidatorOptions.ServerAuthenticationOid, "2.5.29.37.0"] }), CertificateProblemKinds.MissingExtendedKeyUsage);

    [Theory]
    [InlineData("1.3.6.1.5.5.7.3.3")]
    [InlineData("1.3.6.1.5.5.7.3.4")]
    [InlineData("1.3.6.1.5.5.7.3.8")]
    [InlineData("1.3.6.1.5.5.7.3.9")]
    public void A_server_leaf_must_not_carry_purposes_of_another_pki(string purpose) =>
        AssertOnly(Leaf(s => s with { ExtendedKeyUsages = [CertificateValidatorOptions.ServerAuthenticationOid, purpose] }), CertificateProblemKinds.MissingExtendedKeyUsage);

    [Fact]
    public void A_critical_extended_key_usage_is_non_conforming() =>
        AssertOnly(Leaf(s => s with { ExtendedKeyUsageCritical = true }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void The_required_purpose_is_configurable()
    {
        ValidationReport report = Leaf(
            s => s with { ExtendedKeyUsages = [CertificateValidatorOptions.ClientAuthenticationOid] },
            o => o.RequiredExtendedKeyUsage = CertificateValidatorOptions.ClientAuthenticationOid);

        AssertValid(report);
    }

    [Fact]
    public void A_leaf_that_is_a_ca_is_refused() =>
        AssertOnly(Leaf(s => s with { IsCertificateAuthority = true, KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_leaf_that_may_sign_certificates_without_being_a_ca_is_refused() =>
        AssertOnly(Leaf(s => s with { KeyUsage = X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_leaf_whose_key_usage_cannot_authenticate_is_refused() =>
        AssertOnly(Leaf(s => s with { KeyUsage = X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.NonRepudiation }), CertificateProblemKinds.InvalidKeyUsage);

    [Fact]
    public void A_leaf_without_key_usage_is_valid() => AssertValid(Leaf(s => s with { KeyUsage = null }));

    [Fact]
    public void A_leaf_without_basic_constraints_is_valid() => AssertValid(Leaf(s => s with { IsCertificateAuthority = null }));

    [Fact]
    public void A_leaf_without_authority_key_identifier_is_non_conforming() =>
        AssertOnly(Leaf(s => s with { IncludeAuthorityKeyIdentifier = false }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_critical_authority_key_identifier_is_non_conforming()
    {
        X509Extension aki = X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false);
        AssertOnly(
            Leaf(s => s with { IncludeAuthorityKeyIdentifier = false, Extensions = [new X509Extension(aki.Oid!, aki.RawData, true)] }),
            CertificateProblemKinds.NonConformingCertificate);
    }

    [Fact]
    public void A_critical_subject_alternative_name_beside_a_subject_is_non_conforming() =>
        AssertOnly(Leaf(s => s with { SubjectAlternativeNameCritical = true }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void An_empty_subject_needs_a_critical_subject_alternative_name()
    {
        AssertValid(Leaf(s => s with { Subject = string.Empty, SubjectAlternativeNameCritical = true }));
        AssertOnly(Leaf(s => s with { Subject = string.Empty }), CertificateProblemKinds.NonConformingCertificate);
    }

    [Theory]
    [InlineData("CN=SERVER.example.test")]
    [InlineData("CN=192.168.001.001")]
    public void A_common_name_that_is_a_differently_written_copy_of_a_san_is_refused(string subject)
    {
        ValidationReport report = Leaf(s => s with { Subject = subject, IPAddresses = [IPAddress.Parse("192.168.1.1")] });

        AssertOnly(report, CertificateProblemKinds.NonConformingCertificate);
        Assert.Contains("character-for-character", report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CN=Management Server")]
    [InlineData("CN=192.168.1.1")]
    [InlineData("O=Example, CN=server.example.test")]
    public void A_common_name_that_copies_a_san_or_names_none_is_accepted(string subject) =>
        AssertValid(Leaf(s => s with { Subject = subject, IPAddresses = [IPAddress.Parse("192.168.1.1")] }));

    [Fact]
    public void A_serial_number_of_zero_is_non_conforming() =>
        AssertOnly(Leaf(s => s with { SerialNumber = [0x00] }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_negative_serial_number_is_non_conforming()
    {
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec(Host));
        byte[] negative = TestPki.Resign(leaf, Root, fields =>
        {
            fields[1] = TestPki.IntegerDer(0x80, 0x01);
            return fields;
        });

        ValidationReport report = Validator([Root]).Validate([negative], ServerIdentity.Create(Host));

        AssertOnly(report, CertificateProblemKinds.NonConformingCertificate);
        Assert.Contains("negative", report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_v1_leaf_is_non_conforming()
    {
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec(Host));
        byte[] v1 = TestPki.Resign(leaf, Root, fields => [.. fields.Skip(1).Take(6)]);

        ValidationReport report = Validator([Root]).Validate([v1], ServerIdentity.Create(Host));

        Assert.Contains(report.Modern.Problems, p => p.Kind == CertificateProblemKinds.NonConformingCertificate && p.Message.Contains("v1", StringComparison.Ordinal));
    }

    [Fact]
    public void Different_signature_algorithms_inside_and_outside_the_signed_part_are_refused()
    {
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec(Host));
        byte[] sha384 = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03];
        byte[] mismatched = TestPki.Resign(leaf, Root, fields => fields, outerAlgorithm: sha384);

        ValidationReport report = Validator([Root]).Validate([mismatched], ServerIdentity.Create(Host));

        Assert.True(report.Kinds().HasFlag(CertificateProblemKinds.UnsupportedSignatureAlgorithm), string.Join(" | ", report.Modern.Problems));
    }

    [Fact]
    public void A_tampered_leaf_is_a_bad_signature()
    {
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec(Host));
        byte[] der = leaf.RawData;
        der[^1] ^= 0x01;

        ValidationReport report = Validator([Root]).Validate([der], ServerIdentity.Create(Host));

        AssertOnly(report, CertificateProblemKinds.BadSignature);
    }

    [Fact]
    public void A_serial_number_longer_than_20_octets_is_non_conforming() =>
        AssertOnly(Leaf(s => s with { SerialNumber = [0x01, .. new byte[21]] }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_20_octet_serial_with_its_sign_byte_is_accepted() =>
        AssertValid(Leaf(s => s with { SerialNumber = [0x00, 0xFF, .. new byte[19]] }));

    [Fact]
    public void An_unknown_critical_extension_is_refused() =>
        AssertOnly(Leaf(s => s with { Extensions = [new X509Extension("1.3.6.1.4.1.55738.666.1", [0x05, 0x00], true)] }), CertificateProblemKinds.UnhandledCriticalExtension);

    [Fact]
    public void An_unknown_non_critical_extension_is_ignored() =>
        AssertValid(Leaf(s => s with { Extensions = [new X509Extension("1.3.6.1.4.1.55738.666.1", [0x05, 0x00], false)] }));

    [Fact]
    public void Name_constraints_in_a_leaf_are_non_conforming() =>
        AssertOnly(Leaf(s => s with { Extensions = [TestPki.NameConstraints([TestPki.DnsName("example.test")], null)] }), CertificateProblemKinds.NonConformingCertificate);

    [Fact]
    public void A_weak_rsa_key_in_the_leaf_is_refused() =>
        AssertOnly(Leaf(s => s with { Key = TestKeyKind.Rsa1024 }), CertificateProblemKinds.WeakKey);

    [Fact]
    public void A_p192_key_in_the_leaf_is_refused() =>
        AssertOnly(Leaf(s => s with { Key = TestKeyKind.EcdsaP192 }), CertificateProblemKinds.WeakKey);

    [Fact]
    public void A_p384_leaf_is_valid() => AssertValid(Leaf(s => s with { Key = TestKeyKind.EcdsaP384 }));

    [Fact]
    public void Validity_bounds_are_inclusive_and_the_time_is_taken_to_the_second()
    {
        DateTimeOffset notBefore = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        DateTimeOffset notAfter = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec(Host) with { NotBefore = notBefore, NotAfter = notAfter });

        AssertValid(Validator([Root], now: notBefore).Validate(leaf));
        AssertValid(Validator([Root], now: notAfter).Validate(leaf));
        AssertValid(Validator([Root], now: notAfter.AddMilliseconds(999)).Validate(leaf));
        AssertOnly(Validator([Root], now: notAfter.AddSeconds(1)).Validate(leaf), CertificateProblemKinds.Expired);
        AssertOnly(Validator([Root], now: notBefore.AddMilliseconds(-1)).Validate(leaf), CertificateProblemKinds.NotYetValid);
    }

    [Fact]
    public void Clock_skew_widens_the_validity_window_both_ways()
    {
        DateTimeOffset notBefore = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        DateTimeOffset notAfter = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec(Host) with { NotBefore = notBefore, NotAfter = notAfter });
        void Skew(CertificateValidatorOptions o) => o.ClockSkew = TimeSpan.FromMinutes(5);

        AssertValid(Validator([Root], Skew, notBefore.AddMinutes(-5)).Validate(leaf));
        AssertValid(Validator([Root], Skew, notAfter.AddMinutes(5)).Validate(leaf));
        AssertOnly(Validator([Root], Skew, notAfter.AddMinutes(5).AddSeconds(1)).Validate(leaf), CertificateProblemKinds.Expired);
        AssertOnly(Validator([Root], Skew, notBefore.AddMinutes(-5).AddSeconds(-1)).Validate(leaf), CertificateProblemKinds.NotYetValid);
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        ValidationReport report = Leaf(s => s with
        {
            ExtendedKeyUsages = null,
            NotAfter = TestPki.Now.AddDays(-1),
            Extensions = [new X509Extension("1.3.6.1.4.1.55738.666.1", [0x05, 0x00], true)],
        });

        Assert.Equal(
            CertificateProblemKinds.MissingExtendedKeyUsage | CertificateProblemKinds.Expired | CertificateProblemKinds.UnhandledCriticalExtension,
            report.Kinds());
        Assert.All(report.Modern.Problems, p => Assert.Equal(0, p.ChainPosition));
        Assert.All(report.Modern.Problems, p => Assert.Equal("CN=" + Host, p.Subject));
    }
}
