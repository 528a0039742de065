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

    [Fact]
    public void A_crl_signed_by_the_cas_key_rollover_certificate_decides()
    {
        (X509Certificate2 ca, X509Certificate2 rollover) = CaWithRollover("CN=Rollover CA");
        X509Certificate2 leaf = TestPki.Issue(ca, TestPki.LeafSpec(Host));
        X509Certificate2 other = TestPki.Issue(ca, TestPki.LeafSpec("other.example.test"));

        // The CA signs its CRLs with its new key; the leaf was issued under the old one.
        ValidationReport report = Validate(leaf, [ca, rollover], TestPki.CreateCrl(_root), TestPki.CreateCrl(rollover, [other]));

        AssertValid(report);
    }

    [Fact]
    public void A_certificate_on_a_crl_signed_after_a_key_rollover_is_revoked()
    {
        (X509Certificate2 ca, X509Certificate2 rollover) = CaWithRollover("CN=Rollover CA");
        X509Certificate2 leaf = TestPki.Issue(ca, TestPki.LeafSpec(Host));

        ValidationReport report = Validate(leaf, [ca, rollover], TestPki.CreateCrl(_root), TestPki.CreateCrl(rollover, [leaf]));

        AssertOnly(report, CertificateProblemKinds.Revoked);
        Assert.Equal(0, report.Of(CertificateProblemKinds.Revoked).Single().ChainPosition);
    }

    [Fact]
    public void A_crl_signed_by_a_rollover_key_the_peer_did_not_send_cannot_decide()
    {
        (X509Certificate2 ca, X509Certificate2 rollover) = CaWithRollover("CN=Rollover CA");
        X509Certificate2 leaf = TestPki.Issue(ca, TestPki.LeafSpec(Host));

        ValidationReport report = Validate(leaf, [ca], TestPki.CreateCrl(_root), TestPki.CreateCrl(rollover, [leaf]));

        AssertOnly(report, CertificateProblemKinds.RevocationStatusUnknown);
    }

    [Fact]
    public void A_crl_signed_by_a_separate_crl_signing_certificate_of_the_ca_decides()
    {
        X509Certificate2 ca = TestPki.Issue(_root, TestPki.CaSpec("CN=Delegating CA"));
        X509Certificate2 signer = TestPki.Issue(ca, new TestCertificateSpec { Subject = "CN=Delegating CA", IsCertificateAuthority = false, KeyUsage = X509KeyUsageFlags.CrlSign });
        X509Certificate2 leaf = TestPki.Issue(ca, TestPki.LeafSpec(Host));
        X509Certificate2 expiredSigner = TestPki.Issue(ca, new TestCertificateSpec { Subject = "CN=Delegating CA", IsCertificateAuthority = false, KeyUsage = X509KeyUsageFlags.CrlSign, NotAfter = TestPki.Now.AddDays(-1) });

        AssertOnly(Validate(leaf, [ca, signer], TestPki.CreateCrl(_root), CrlNamed(ca.SubjectName, signer, leaf)), CertificateProblemKinds.Revoked);
        AssertOnly(Validate(leaf, [ca, expiredSigner], TestPki.CreateCrl(_root), CrlNamed(ca.SubjectName, expiredSigner, leaf)), CertificateProblemKinds.RevocationStatusUnknown);
    }

    [Fact]
    public void A_crl_signer_whose_own_path_loops_is_not_used()
    {
        // S (the CA's name, a new key) is issued by X, and X by S's key: the signer's path is a cycle, never the anchor.
        X509Certificate2 ca = TestPki.Issue(_root, TestPki.CaSpec("CN=Looping CA"));
        X509Certificate2 leaf = TestPki.Issue(ca, TestPki.LeafSpec(Host));
        X509Certificate2 signerKey = TestPki.Issue(null, TestPki.CaSpec("CN=Looping CA"));
        X509Certificate2 loopKey = TestPki.Issue(null, TestPki.CaSpec("CN=Loop X"));
        X509Certificate2 x = TestPki.Issue(signerKey, TestPki.CaSpec("CN=Loop X") with { KeyOf = loopKey });
        X509Certificate2 signer = TestPki.Issue(loopKey, TestPki.CaSpec("CN=Looping CA") with { KeyOf = signerKey });

        ValidationReport report = Validate(leaf, [ca, signer, x], TestPki.CreateCrl(_root), CrlNamed(ca.SubjectName, signerKey, leaf));

        AssertOnly(report, CertificateProblemKinds.RevocationStatusUnknown);
        Assert.Contains("no valid path to the trust anchor", report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crl_signing_certificate_without_crl_sign_cannot_sign_crls()
    {
        X509Certificate2 ca = TestPki.Issue(_root, TestPki.CaSpec("CN=Signer CA"));
        X509Certificate2 signer = TestPki.Issue(ca, TestPki.CaSpec("CN=Signer CA") with { KeyUsage = X509KeyUsageFlags.KeyCertSign });
        X509Certificate2 leaf = TestPki.Issue(ca, TestPki.LeafSpec(Host));

        ValidationReport report = Validate(leaf, [ca, signer], TestPki.CreateCrl(_root), CrlNamed(ca.SubjectName, signer, leaf));

        AssertOnly(report, CertificateProblemKinds.RevocationStatusUnknown);
        Assert.Contains("cRLSign", report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_crl_signed_by_a_certificate_with_another_name_is_not_used()
    {
        X509Certificate2 ca = TestPki.Issue(_root, TestPki.CaSpec("CN=Named CA"));
        X509Certificate2 stranger = TestPki.Issue(ca, TestPki.CaSpec("CN=Another Name"));
        X509Certificate2 leaf = TestPki.Issue(ca, TestPki.LeafSpec(Host));

        // The CRL claims the CA's name but is signed by a key certified under another name.
        ValidationReport report = Validate(leaf, [ca, stranger], TestPki.CreateCrl(_root), CrlNamed(ca.SubjectName, stranger, leaf));

        AssertOnly(report, CertificateProblemKinds.RevocationStatusUnknown);
        Assert.Equal(0, report.Modern.Problems[0].ChainPosition);
    }

    [Fact]
    public void A_directory_name_distribution_point_crl_covers_the_certificates_naming_it()
    {
        const string Partition = "CN=Partition 7, CN=Revocation Root";
        X509Certificate2 named = TestPki.Issue(_root, TestPki.LeafSpec(Host) with { Extensions = [DistributionPointExtension(TestPki.DirectoryName(Partition))] });
        X509Certificate2 unnamed = TestPki.Issue(_root, TestPki.LeafSpec(Host) with { Extensions = [DistributionPointExtension(TestPki.DirectoryName("CN=Partition 8, CN=Revocation Root"))] });

        byte[] partition = WithIssuingDistributionPoint(_root, TestPki.DirectoryName(Partition), revoked: []);
        byte[] revoking = WithIssuingDistributionPoint(_root, TestPki.DirectoryName(Partition), revoked: [named]);

        AssertValid(Validate(named, [], partition));
        AssertOnly(Validate(named, [], revoking), CertificateProblemKinds.Revoked);
        AssertOnly(Validate(unnamed, [], partition), CertificateProblemKinds.RevocationStatusUnknown);
    }

    [Fact]
    public void A_directory_name_distribution_point_crl_naming_the_issuer_covers_certificates_without_distribution_points()
    {
        X509Certificate2 leaf = TestPki.Issue(_root, TestPki.LeafSpec(Host));

        AssertOnly(Validate(leaf, [], WithIssuingDistributionPoint(_root, TestPki.DirectoryName("CN=Revocation Root"), revoked: [leaf])), CertificateProblemKinds.Revoked);
        AssertOnly(Validate(leaf, [], WithIssuingDistributionPoint(_root, TestPki.DirectoryName("CN=Elsewhere"), revoked: [leaf])), CertificateProblemKinds.RevocationStatusUnknown);
    }

    /// <summary>An intermediate CA under the root, and its key-rollover certificate: the same name, a new key, certified by the old key.</summary>
    private (X509Certificate2 Ca, X509Certificate2 Rollover) CaWithRollover(string name)
    {
        X509Certificate2 ca = TestPki.Issue(_root, TestPki.CaSpec(name));
        X509Certificate2 rollover = TestPki.Issue(ca, TestPki.CaSpec(name));
        return (ca, rollover);
    }

    /// <summary>A CRL that names <paramref name="issuerName"/> as its issuer, signed by <paramref name="signer"/>'s key (whatever its name).</summary>
    private static byte[] CrlNamed(X500DistinguishedName issuerName, X509Certificate2 signer, params X509Certificate2[] revoked)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (X509Certificate2 certificate in revoked)
        {
            builder.AddEntry(certificate, TestPki.Now.AddDays(-2));
        }

        using System.Security.Cryptography.ECDsa key = signer.GetECDsaPrivateKey()!;
        return builder.Build(
            issuerName,
            X509SignatureGenerator.CreateForECDsa(key),
            System.Numerics.BigInteger.One,
            TestPki.Now.AddDays(29),
            System.Security.Cryptography.HashAlgorithmName.SHA256,
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(signer, true, false),
            TestPki.Now.AddDays(-1));
    }

    /// <summary>A cRLDistributionPoints extension with one point whose fullName is the given GeneralName's DER.</summary>
    private static X509Extension DistributionPointExtension(byte[] generalName)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                {
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                    {
                        writer.WriteEncodedValue(generalName);
                    }
                }
            }
        }

        return new X509Extension("2.5.29.31", writer.Encode(), false);
    }

    /// <summary>Rebuilds a CRL's tbsCertList without its extensions (so without cRLNumber), re-signed.</summary>
    private static byte[] ResignCrlWithoutExtensions(byte[] crl, X509Certificate2 issuer) =>
        TestPki.Resign(crl, issuer, fields => [.. fields.Where(f => f[0] != 0xA0)]);

    /// <summary>A CRL of the issuer whose issuingDistributionPoint names one URI.</summary>
    private static byte[] WithIssuingDistributionPoint(X509Certificate2 issuer, string uri) =>
        WithIssuingDistributionPoint(issuer, TestPki.UriName(uri), revoked: []);

    /// <summary>A CRL of the issuer, revoking the given certificates, whose issuingDistributionPoint names one GeneralName (its DER).</summary>
    private static byte[] WithIssuingDistributionPoint(X509Certificate2 issuer, byte[] generalName, X509Certificate2[] revoked)
    {
        var idp = new AsnWriter(AsnEncodingRules.DER);
        using (idp.PushSequence())
        {
            using (idp.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
            {
                using (idp.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                {
                    idp.WriteEncodedValue(generalName);
                }
            }
        }

        byte[] idpValue = idp.Encode();
        return TestPki.Resign(TestPki.CreateCrl(issuer, revoked), issuer, fields =>
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
