using System.Formats.Asn1;
using static CertPolicy.Tests.TrustStores.TrustStoreCertificates;

namespace CertPolicy.Tests.TrustStores;

public sealed class CertificateDerShapeTests
{
    [Fact]
    public void Generated_certificates_are_well_formed()
    {
        Assert.Null(CertificateDerShape.FindProblem(RootA.RawData));
        Assert.Null(CertificateDerShape.FindProblem(RootB.RawData));
        Assert.Null(CertificateDerShape.FindProblem(Intermediate.RawData));
        Assert.Null(CertificateDerShape.FindProblem(VersionOneShape(RootA)));
    }

    [Fact]
    public void Every_truncation_of_a_certificate_is_malformed()
    {
        byte[] der = RootA.RawData;
        for (int length = 0; length < der.Length; length++)
        {
            Assert.NotNull(CertificateDerShape.FindProblem(der.AsMemory(0, length)));
        }
    }

    [Fact]
    public void A_signing_request_is_not_a_certificate()
    {
        Assert.Equal("validity is missing or malformed", CertificateDerShape.FindProblem(SigningRequestDer()));
    }

    [Fact]
    public void A_private_key_is_not_a_certificate()
    {
        Assert.NotNull(CertificateDerShape.FindProblem(PrivateKeyDer()));
    }

    [Fact]
    public void A_bad_length_inside_the_certificate_is_malformed()
    {
        byte[] der = RootA.RawData;

        // The issuer Name's first RDN SET: make its length one more than it is, so it overlaps what follows.
        var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
        _ = tbs.ReadEncodedValue();
        _ = tbs.ReadEncodedValue();
        _ = tbs.ReadEncodedValue();
        ReadOnlyMemory<byte> issuer = tbs.ReadEncodedValue();
        int issuerOffset = der.AsSpan().IndexOf(issuer.Span);
        int setLengthOffset = issuerOffset + 2 + 1;
        der[setLengthOffset]++;

        Assert.NotNull(CertificateDerShape.FindProblem(der));
    }

    [Fact]
    public void Deep_nesting_is_refused_without_recursing_without_bound()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        var scopes = new Stack<AsnWriter.Scope>();
        for (int i = 0; i < 200; i++)
        {
            scopes.Push(writer.PushSequence());
        }

        while (scopes.Count > 0)
        {
            scopes.Pop().Dispose();
        }

        Assert.Equal("the DER is nested too deeply", CertificateDerShape.FindProblem(writer.Encode()));
    }
}
