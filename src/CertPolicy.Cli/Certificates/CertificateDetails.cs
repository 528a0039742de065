using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Cli.Certificates;

/// <summary>
/// What administrators expect a certificate tool to show, as .NET decodes the certificate: the key, the signature
/// algorithm, key usage, extended key usage, basic constraints, subject alternative names, and where the issuer and
/// revocation lists are published. For display only: no verdict reads these.
/// </summary>
/// <param name="Key">Such as "RSA 2048 bits" or "ECDSA P-256".</param>
/// <param name="SignatureAlgorithm">Such as "sha256RSA".</param>
/// <param name="KeyUsage">The key usages; empty when the extension is absent.</param>
/// <param name="ExtendedKeyUsage">The extended key usages by name (or OID); empty when the extension is absent.</param>
/// <param name="BasicConstraints">"CA" with its path length, "not a CA", or null when the extension is absent.</param>
/// <param name="SubjectAlternativeNames">"DNS:name" and "IP:address" entries.</param>
/// <param name="OcspUrls">AIA OCSP responders.</param>
/// <param name="CaIssuerUrls">AIA CA issuers.</param>
/// <param name="CrlDistributionPoints">CRL distribution point URLs.</param>
internal sealed record CertificateDetails(
    string Key,
    string SignatureAlgorithm,
    IReadOnlyList<string> KeyUsage,
    IReadOnlyList<string> ExtendedKeyUsage,
    string? BasicConstraints,
    IReadOnlyList<string> SubjectAlternativeNames,
    IReadOnlyList<string> OcspUrls,
    IReadOnlyList<string> CaIssuerUrls,
    IReadOnlyList<string> CrlDistributionPoints)
{
    private const string CrlDistributionPointsOid = "2.5.29.31";

    /// <summary>The details, or null when .NET cannot decode the certificate.</summary>
    public static CertificateDetails? TryRead(ReadOnlyMemory<byte> der)
    {
        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(der.Span);
            var keyUsage = new List<string>();
            var extendedKeyUsage = new List<string>();
            var names = new List<string>();
            var ocsp = new List<string>();
            var issuers = new List<string>();
            var crls = new List<string>();
            string? basic = null;
            foreach (X509Extension extension in certificate.Extensions)
            {
                switch (extension)
                {
                    case X509KeyUsageExtension ku:
                        keyUsage.AddRange(KeyUsages(ku.KeyUsages));
                        break;
                    case X509EnhancedKeyUsageExtension eku:
                        foreach (Oid oid in eku.EnhancedKeyUsages)
                        {
                            extendedKeyUsage.Add(UsageName(oid));
                        }

                        break;
                    case X509BasicConstraintsExtension bc:
                        basic = !bc.CertificateAuthority
                            ? "not a CA"
                            : bc.HasPathLengthConstraint ? $"CA, path length {bc.PathLengthConstraint}" : "CA, no path length limit";
                        break;
                    case X509SubjectAlternativeNameExtension san:
                        names.AddRange(san.EnumerateDnsNames().Select(n => "DNS:" + n));
                        names.AddRange(san.EnumerateIPAddresses().Select(static (IPAddress a) => "IP:" + a));
                        break;
                    case X509AuthorityInformationAccessExtension aia:
                        ocsp.AddRange(aia.EnumerateOcspUris());
                        issuers.AddRange(aia.EnumerateCAIssuersUris());
                        break;
                    default:
                        if (extension.Oid?.Value == CrlDistributionPointsOid)
                        {
                            crls.AddRange(ReadCrlDistributionPoints(extension.RawData));
                        }

                        break;
                }
            }

            return new CertificateDetails(
                DescribeKey(certificate),
                certificate.SignatureAlgorithm.FriendlyName ?? certificate.SignatureAlgorithm.Value ?? "unknown",
                keyUsage,
                extendedKeyUsage,
                basic,
                names,
                ocsp,
                issuers,
                crls);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string DescribeKey(X509Certificate2 certificate)
    {
        using RSA? rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return $"RSA {rsa.KeySize} bits";
        }

        using ECDsa? ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            string curve = ecdsa.ExportParameters(false).Curve.Oid.FriendlyName ?? $"{ecdsa.KeySize} bits";
            return $"ECDSA {CurveName(curve)}";
        }

        Oid algorithm = certificate.PublicKey.Oid;
        return algorithm.FriendlyName ?? algorithm.Value ?? "unknown";
    }

    private static string CurveName(string name) => name switch
    {
        "nistP256" or "ECDSA_P256" => "P-256",
        "nistP384" or "ECDSA_P384" => "P-384",
        "nistP521" or "ECDSA_P521" => "P-521",
        _ => name,
    };

    private static IEnumerable<string> KeyUsages(X509KeyUsageFlags flags)
    {
        (X509KeyUsageFlags Flag, string Name)[] all =
        [
            (X509KeyUsageFlags.DigitalSignature, "digitalSignature"),
            (X509KeyUsageFlags.NonRepudiation, "nonRepudiation"),
            (X509KeyUsageFlags.KeyEncipherment, "keyEncipherment"),
            (X509KeyUsageFlags.DataEncipherment, "dataEncipherment"),
            (X509KeyUsageFlags.KeyAgreement, "keyAgreement"),
            (X509KeyUsageFlags.KeyCertSign, "keyCertSign"),
            (X509KeyUsageFlags.CrlSign, "cRLSign"),
            (X509KeyUsageFlags.EncipherOnly, "encipherOnly"),
            (X509KeyUsageFlags.DecipherOnly, "decipherOnly"),
        ];
        return all.Where(u => flags.HasFlag(u.Flag)).Select(u => u.Name);
    }

    private static string UsageName(Oid oid) => oid.Value switch
    {
        "1.3.6.1.5.5.7.3.1" => "serverAuth",
        "1.3.6.1.5.5.7.3.2" => "clientAuth",
        "1.3.6.1.5.5.7.3.3" => "codeSigning",
        "1.3.6.1.5.5.7.3.4" => "emailProtection",
        "1.3.6.1.5.5.7.3.8" => "timeStamping",
        "1.3.6.1.5.5.7.3.9" => "OCSPSigning",
        "2.5.29.37.0" => "anyExtendedKeyUsage",
        _ => oid.Value ?? "unknown",
    };

    /// <summary>The URIs of the fullName of each distribution point (RFC 5280, 4.2.1.13); an unreadable extension gives none.</summary>
    private static List<string> ReadCrlDistributionPoints(byte[] value)
    {
        var urls = new List<string>();
        try
        {
            AsnReader points = new AsnReader(value, AsnEncodingRules.DER).ReadSequence();
            while (points.HasData)
            {
                AsnReader point = points.ReadSequence();
                if (!point.HasData || point.PeekTag() != new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
                {
                    continue;
                }

                AsnReader name = point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                if (!name.HasData || name.PeekTag() != new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true))
                {
                    continue;
                }

                AsnReader fullName = name.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                while (fullName.HasData)
                {
                    Asn1Tag tag = fullName.PeekTag();
                    if (tag == new Asn1Tag(TagClass.ContextSpecific, 6))
                    {
                        urls.Add(fullName.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                    }
                    else
                    {
                        fullName.ReadEncodedValue();
                    }
                }
            }
        }
        catch (AsnContentException)
        {
            // Shown as none: this is display only.
        }

        return urls;
    }
}
