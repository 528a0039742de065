using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Certificates;

public sealed class ParsedCertificateTests
{
    private static readonly X509Certificate2 Root = TestPki.Issue(null, TestPki.CaSpec("CN=Parser Root, O=Parser Tests", pathLength: 2));

    private static ParsedCertificate Parse(X509Certificate2 certificate)
    {
        Assert.True(ParsedCertificate.TryParse(certificate.RawData, out ParsedCertificate? parsed, out string? error), error);
        return parsed;
    }

    [Fact]
    public void The_fields_match_what_the_platform_reads()
    {
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec("a.example.test", "b.example.test") with { IPAddresses = [IPAddress.Parse("192.0.2.1"), IPAddress.IPv6Loopback] });
        ParsedCertificate parsed = Parse(leaf);

        Assert.Equal(3, parsed.Version);
        Assert.Equal(leaf.SerialNumber, Convert.ToHexString(parsed.SerialNumber.Span));
        Assert.Equal(leaf.Subject, parsed.Subject.ToString());
        Assert.Equal(leaf.Issuer, parsed.Issuer.ToString());
        Assert.Equal(leaf.NotBefore.ToUniversalTime(), parsed.NotBefore.UtcDateTime);
        Assert.Equal(leaf.NotAfter.ToUniversalTime(), parsed.NotAfter.UtcDateTime);
        Assert.Equal(leaf.GetCertHashString(HashAlgorithmName.SHA256), parsed.Sha256Fingerprint);
        Assert.Equal(["a.example.test", "b.example.test"], parsed.DnsNames);
        Assert.Equal([IPAddress.Parse("192.0.2.1").GetAddressBytes(), IPAddress.IPv6Loopback.GetAddressBytes()], parsed.IPAddresses.Select(a => a.ToArray()));
        Assert.Equal(PublicKeyKind.EcP256, parsed.PublicKey.Kind);
        Assert.False(parsed.IsCertificateAuthority);
        Assert.Equal(KeyUsageBits.DigitalSignature, parsed.KeyUsage!.Bits);
        Assert.Equal([CertificateValidatorOptions.ServerAuthenticationOid], parsed.ExtendedKeyUsage!.Purposes);
        Assert.Empty(parsed.Defects);
    }

    [Fact]
    public void A_ca_certificate_exposes_its_constraints_and_key_identifiers()
    {
        ParsedCertificate root = Parse(Root);

        Assert.True(root.IsCertificateAuthority);
        Assert.Equal(2, root.BasicConstraints!.PathLength);
        Assert.True(root.BasicConstraints.Critical);
        Assert.True(root.KeyUsage!.Has(KeyUsageBits.KeyCertSign | KeyUsageBits.CrlSign));
        Assert.True(root.IsSelfIssued);
        Assert.NotNull(root.SubjectKeyIdentifier);
        Assert.Null(root.AuthorityKeyIdentifier);
    }

    [Fact]
    public void An_rsa_key_is_classified_with_its_size()
    {
        X509Certificate2 rsa = TestPki.Issue(Root, TestPki.LeafSpec("rsa.example.test") with { Key = TestKeyKind.Rsa2048 });
        ParsedCertificate parsed = Parse(rsa);

        Assert.Equal(PublicKeyKind.Rsa, parsed.PublicKey.Kind);
        Assert.Equal(2048, parsed.PublicKey.SizeInBits);
        Assert.Null(parsed.PublicKey.ForbiddenReason);
    }

    [Theory]
    [InlineData(TestKeyKind.Rsa1024, "at least 2048")]
    [InlineData(TestKeyKind.EcdsaP192, "P-192")]
    public void A_weak_key_is_a_defect(TestKeyKind key, string reason)
    {
        ParsedCertificate parsed = Parse(TestPki.Issue(Root, TestPki.LeafSpec("weak.example.test") with { Key = key }));

        CertificateDefect defect = Assert.Single(parsed.Defects);
        Assert.Equal(CertificateProblemKinds.WeakKey, defect.Kind);
        Assert.Contains(reason, defect.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_extension_is_a_defect()
    {
        X509Certificate2 leaf = TestPki.Issue(Root, TestPki.LeafSpec("dup.example.test"));
        byte[] duplicated = TestPki.ResignExtensions(leaf, Root, extensions => [.. extensions, extensions[^1]]);
        Assert.True(ParsedCertificate.TryParse(duplicated, out ParsedCertificate? parsed, out string? error), error);

        Assert.Contains(parsed.Defects, d => d.Kind == CertificateProblemKinds.NonConformingCertificate && d.Message.Contains("more than once", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_known_extension_is_a_defect_not_a_parse_failure()
    {
        X509Extension malformedSan = new("2.5.29.17", "example.test"u8.ToArray(), false);
        ParsedCertificate parsed = Parse(TestPki.Issue(Root, TestPki.LeafSpec() with { Extensions = [malformedSan] }));

        Assert.Contains(parsed.Defects, d => d.Kind == CertificateProblemKinds.MalformedCertificate && d.Message.Contains("subjectAltName", StringComparison.Ordinal));
        Assert.Empty(parsed.DnsNames);
    }

    [Fact]
    public void A_non_ascii_dns_name_makes_the_subject_alternative_name_malformed()
    {
        byte[] emoji = [0x82, 0x04, 0xF0, 0x9F, 0x98, 0x9C];
        ParsedCertificate parsed = Parse(TestPki.Issue(Root, TestPki.LeafSpec() with { Extensions = [TestPki.SubjectAlternativeName([emoji])] }));

        Assert.Contains(parsed.Defects, d => d.Kind == CertificateProblemKinds.MalformedCertificate);
    }

    [Fact]
    public void Critical_key_identifiers_and_authority_information_access_are_defects()
    {
        X509Extension aia = new("1.3.6.1.5.5.7.1.1", [0x30, 0x00], true);
        ParsedCertificate parsed = Parse(TestPki.Issue(Root, TestPki.LeafSpec("x.example.test") with { Extensions = [aia] }));

        Assert.Contains(parsed.Defects, d => d.Message.Contains("authorityInfoAccess", StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_extended_key_usage_is_a_defect()
    {
        X509Extension empty = new("2.5.29.37", [0x30, 0x00], false);
        ParsedCertificate parsed = Parse(TestPki.Issue(Root, TestPki.LeafSpec("x.example.test") with { ExtendedKeyUsages = null, Extensions = [empty] }));

        Assert.Contains(parsed.Defects, d => d.Message.Contains("no purpose", StringComparison.Ordinal));
    }

    [Fact]
    public void A_non_critical_policy_constraints_extension_is_a_defect()
    {
        X509Extension policyConstraints = new("2.5.29.36", [0x30, 0x03, 0x80, 0x01, 0x00], false);
        ParsedCertificate parsed = Parse(TestPki.Issue(Root, TestPki.CaSpec("CN=PC") with { Extensions = [policyConstraints] }));

        Assert.Contains(parsed.Defects, d => d.Message.Contains("policyConstraints", StringComparison.Ordinal));
    }

    [Fact]
    public void The_imported_key_verifies_the_certificates_it_signed()
    {
        ParsedCertificate root = Parse(Root);
        ParsedCertificate leaf = Parse(TestPki.Issue(Root, TestPki.LeafSpec("v.example.test")));
        Assert.True(SignatureAlgorithm.TryResolve(leaf.SignatureAlgorithm, out SignatureAlgorithm algorithm, out _));

        Assert.Equal(SignatureCheck.Valid, root.Verifier.Verify(leaf.TbsCertificate.Span, leaf.Signature.Span, algorithm, out _));
        Assert.Equal(SignatureCheck.Invalid, leaf.Verifier.Verify(leaf.TbsCertificate.Span, leaf.Signature.Span, algorithm, out _));
    }

    [Theory]
    [InlineData("1.2.840.113549.1.1.5", "SHA-1")]
    [InlineData("1.2.840.10045.4.1", "SHA-1")]
    [InlineData("1.2.840.10040.4.3", "SHA-1")]
    [InlineData("1.2.3.4", "not supported")]
    public void Weak_and_unknown_signature_algorithms_are_refused(string oid, string reason)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
        }

        var reader = new System.Formats.Asn1.AsnReader(writer.Encode(), System.Formats.Asn1.AsnEncodingRules.DER);
        Assert.False(SignatureAlgorithm.TryResolve(AlgorithmIdentifier.Read(reader), out _, out string? why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }
}
