using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.PathBuilding;

/// <summary>Reports name the real cause when a CA certificate the peer sent cannot be used.</summary>
public sealed class SentCertificateReportTests
{
    [Fact]
    public void A_sent_issuer_that_does_not_parse_is_reported_as_sent_with_the_reason()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Report Root"));
        X509Certificate2 intermediate = TestPki.Issue(root, TestPki.CaSpec("CN=Unparseable Intermediate"));
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(Host));
        byte[] broken = WithSignatureUnusedBits(intermediate.RawData);

        ValidationReport report = Validator([root]).Validate([leaf.RawData, broken], ServerIdentity.Create(Host));

        CertificateProblem problem = report.Of(CertificateProblemKinds.PartialChain).Single();
        Assert.Contains("The peer sent an issuer named \"CN=Unparseable Intermediate\" (certificate 1 of its list) but it cannot be used", problem.Message, StringComparison.Ordinal);
        Assert.Contains("whole number of bytes", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("No issuer named", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sent_junk_without_a_readable_name_is_mentioned_beside_the_missing_issuer()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Report Root"));
        X509Certificate2 intermediate = TestPki.Issue(root, TestPki.CaSpec("CN=Missing Intermediate"));
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec(Host));

        ValidationReport report = Validator([root]).Validate([leaf.RawData, new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }], ServerIdentity.Create(Host));

        CertificateProblem problem = report.Of(CertificateProblemKinds.PartialChain).Single();
        Assert.StartsWith("No issuer named \"CN=Missing Intermediate\"", problem.Message, StringComparison.Ordinal);
        Assert.Contains("certificate 1 of its list, which cannot be read at all", problem.Message, StringComparison.Ordinal);
    }

    /// <summary>The certificate with its signature BIT STRING claiming one unused bit (the octets unchanged but the last bit cleared).</summary>
    private static byte[] WithSignatureUnusedBits(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        AsnReader outer = reader.ReadSequence();
        ReadOnlyMemory<byte> tbs = outer.ReadEncodedValue();
        ReadOnlyMemory<byte> algorithm = outer.ReadEncodedValue();
        byte[] signature = outer.ReadBitString(out _);
        signature[^1] &= 0xFE;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbs.Span);
            writer.WriteEncodedValue(algorithm.Span);
            writer.WriteBitString(signature, unusedBitCount: 1);
        }

        return writer.Encode();
    }
}
