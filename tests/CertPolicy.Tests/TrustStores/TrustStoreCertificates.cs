using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.TrustStores;

/// <summary>Certificates and PEM text shared by the trust store tests (generated once; never disposed).</summary>
internal static class TrustStoreCertificates
{
    public static X509Certificate2 RootA { get; } = TestPki.CreateRoot("Trust Store Test Root A");

    public static X509Certificate2 RootB { get; } = TestPki.CreateRoot("Trust Store Test Root B", TestKeyKind.Rsa2048);

    public static X509Certificate2 RootC { get; } = TestPki.CreateRoot("Trust Store Test Root C");

    public static X509Certificate2 Intermediate { get; } = TestPki.CreateIntermediate(RootA);

    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>A PEM block with the given label around the given bytes, 64 base64 characters a line.</summary>
    public static string PemBlock(string label, byte[] content) => PemEncoding.WriteString(label, content) + "\n";

    public static string PrivateKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    public static byte[] SigningRequestDer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest("CN=Not a certificate", key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }

    public static byte[] PrivateKeyDer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKey();
    }

    /// <summary>
    /// An X.509 v1 certificate shape: the certificate re-encoded without its version and extensions (the signature
    /// no longer verifies, which the shape check does not look at).
    /// </summary>
    public static byte[] VersionOneShape(X509Certificate2 certificate)
    {
        var reader = new AsnReader(certificate.RawData, AsnEncodingRules.DER).ReadSequence();
        AsnReader tbs = reader.ReadSequence();
        _ = tbs.ReadEncodedValue(); // [0] version
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                for (int field = 0; field < 6; field++)
                {
                    writer.WriteEncodedValue(tbs.ReadEncodedValue().Span);
                }
            }

            writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
            writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
        }

        return writer.Encode();
    }
}
