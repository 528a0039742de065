using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.PathBuilding;

public sealed class RevocationTests
{
    private readonly X509Certificate2 _root = TestPki.Issue(null, TestPki.CaSpec("CN=Revocation Root"));

    private ValidationReport Validate(X509Certificate2 leaf, X509Certificate2[] intermediates, params byte[][] crls) =>
        Validator([_root], o =>
        {
            foreach (byte[] crl in crls)
            {
                o.RevocationLists.Add(crl);
            }
        }).Validate([leaf, .. intermediates]);

    [Fact]
    public void A_certificate_listed_by_its_issuers_crl_is_revoked()
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        ValidationReport report = Validate(leaf, [], TestPki.CreateCrl(_root, [leaf]));

        AssertOnly(report, CertificateProblemKinds.Revoked);
        Assert.Equal(0, report.Of(CertificateProblemKinds.Revoked).Single().ChainPosition);
    }

    [Fact]
    public void A_certificate_not_listed_is_valid()
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        X509Certificate2 other = TestPki.Issue(_root, TestPki.LeafSpec("other.example.test"));

        AssertValid(Validate(leaf, [], TestPki.CreateCrl(_root, [other])));
    }

    [Fact]
    public void Without_revocation_lists_nothing_is_checked()
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        AssertValid(Validate(leaf, []));
    }

    [Fact]
    public void Every_certificate_below_the_anchor_needs_a_crl_from_its_issuer()
    {
        X509Certificate2 intermediate = TestPki.Issue(_root, TestPki.CaSpec("CN=Revocation Intermediate"));
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(Host));

        AssertValid(Validate(leaf, [intermediate], TestPki.CreateCrl(_root), TestPki.CreateCrl(intermediate)));
        ValidationReport missing = Validate(leaf, [intermediate], TestPki.CreateCrl(intermediate));
        AssertOnly(missing, CertificateProblemKinds.RevocationStatusUnknown);
        Assert.Equal(1, missing.Of(CertificateProblemKinds.RevocationStatusUnknown).Single().ChainPosition);
    }

    [Fact]
    public void A_revoked_intermediate_is_reported_at_its_position()
    {
        X509Certificate2 intermediate = TestPki.Issue(_root, TestPki.CaSpec("CN=Revoked Intermediate"));
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(Host));

        ValidationReport report = Validate(leaf, [intermediate], TestPki.CreateCrl(_root, [intermediate]), TestPki.CreateCrl(intermediate));

        AssertOnly(report, CertificateProblemKinds.Revoked);
        Assert.Equal(1, report.Of(CertificateProblemKinds.Revoked).Single().ChainPosition);
    }

    [Fact]
    public void A_crl_from_another_issuer_with_the_same_serial_does_not_revoke()
    {
        X509Certificate2 otherRoot = TestPki.Issue(null, TestPki.CaSpec("CN=Other Revocation Root"));
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        X509Certificate2 sameSerial = TestPki.Issue(otherRoot, TestPki.LeafSpec(Host) with { SerialNumber = leaf.GetSerialNumber().Reverse().ToArray() });

        AssertValid(Validate(leaf, [], TestPki.CreateCrl(_root), TestPki.CreateCrl(otherRoot, [sameSerial])));
    }

    [Fact]
    public void A_crl_signed_by_another_key_cannot_decide()
    {
        X509Certificate2 impostor = TestPki.Issue(null, TestPki.CaSpec("CN=Revocation Root"));
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));

        AssertOnly(Validate(leaf, [], TestPki.CreateCrl(impostor)), CertificateProblemKinds.RevocationStatusUnknown);
    }

    [Fact]
    public void An_expired_crl_cannot_decide()
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        byte[] expired = TestPki.CreateCrl(_root, thisUpdate: TestPki.Now.AddDays(-60), nextUpdate: TestPki.Now.AddDays(-30));

        AssertOnly(Validate(leaf, [], expired), CertificateProblemKinds.RevocationStatusUnknown);
    }

    [Fact]
    public void A_crl_not_yet_in_effect_cannot_decide()
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        byte[] future = TestPki.CreateCrl(_root, thisUpdate: TestPki.Now.AddDays(1), nextUpdate: TestPki.Now.AddDays(30));

        AssertOnly(Validate(leaf, [], future), CertificateProblemKinds.RevocationStatusUnknown);
    }

    [Fact]
    public void An_issuer_whose_key_usage_forbids_crl_signing_cannot_sign_crls()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=No CRL Root") with { KeyUsage = X509KeyUsageFlags.KeyCertSign });
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host));

        // The platform refuses to sign a CRL for such an issuer, so a twin with the same name and key signs it.
        using System.Security.Cryptography.ECDsa key = root.GetECDsaPrivateKey()!;
        var twinRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest(root.SubjectName, key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        twinRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        twinRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.CrlSign, true));
        twinRequest.CertificateExtensions.Add(root.Extensions["2.5.29.14"]!);
        using X509Certificate2 twin = twinRequest.CreateSelfSigned(TestPki.DefaultNotBefore, TestPki.DefaultNotAfter);
        CertificateValidator validator = Validator([root], o => o.RevocationLists.Add(TestPki.CreateCrl(twin)));

        AssertOnly(validator.Validate(leaf), CertificateProblemKinds.RevocationStatusUnknown);
    }

    [Fact]
    public void A_crl_without_a_crl_number_cannot_decide()
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        byte[] crl = ResignCrlWithoutExtensions(TestPki.CreateCrl(_root), _root);

        ValidationReport report = Validate(leaf, [], crl);

        AssertOnly(report, CertificateProblemKinds.RevocationStatusUnknown);
        Assert.Contains("cRLNumber", report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 })]
    [InlineData(new byte[] { 0x04, 0x02, 0xFF, 0xFF })]
    public void A_supplied_crl_that_does_not_decode_fails_closed(byte[] crl)
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        ValidationReport report = Validate(leaf, [], TestPki.CreateCrl(_root), crl);

        AssertOnly(report, CertificateProblemKinds.MalformedCertificate);
        Assert.Equal(-1, report.Modern.Problems[0].ChainPosition);
    }

    [Fact]
    public void A_crl_scoped_to_a_distribution_point_covers_only_certificates_naming_it()
    {
        const string Uri = "http://crl.example.test/partition.crl";
        X509Certificate2 named = TestPki.Issue(_root, TestPki.LeafSpec(Host) with { Extensions = [TestPki.CrlDistributionPoint(Uri)] });
        X509Certificate2 unnamed = TestPki.Issue(_root, TestPki.LeafSpec(Host));
        byte[] partition = WithIssuingDistributionPoint(_root, Uri);

        AssertValid(Validate(named, [], partition));
        AssertOnly(Validate(unnamed, [], partition), CertificateProblemKinds.RevocationStatusUnknown);
    }

    /// <summary>Rebuilds a CRL's tbsCertList without its extensions (so without cRLNumber), re-signed.</summary>
    private static byte[] ResignCrlWithoutExtensions(byte[] crl, X509Certificate2 issuer) =>
        TestPki.Resign(crl, issuer, fields => [.. fields.Where(f => f[0] != 0xA0)]);

    /// <summary>A CRL of the issuer whose issuingDistributionPoint names one URI.</summary>
    private static byte[] WithIssuingDistributionPoint(X509Certificate2 issuer, string uri)
    {
        var idp = new AsnWriter(AsnEncodingRules.DER);
        using (idp.PushSequence())
        {
            using (idp.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            {
                using (idp.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                {
                    idp.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
                }
            }
        }

        byte[] idpValue = idp.Encode();
        return TestPki.Resign(TestPki.CreateCrl(issuer), issuer, fields =>
        {
            int index = fields.FindIndex(f => f[0] == 0xA0);
            var reader = new AsnReader(fields[index], AsnEncodingRules.DER);
            AsnReader extensions = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            {
                using (writer.PushSequence())
                {
                    while (extensions.HasData)
                    {
                        writer.WriteEncodedValue(extensions.ReadEncodedValue().Span);
                    }

                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier("2.5.29.28");
                        writer.WriteBoolean(true);
                        writer.WriteOctetString(idpValue);
                    }
                }
            }

            fields[index] = writer.Encode();
            return fields;
        });
    }
}
