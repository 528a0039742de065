using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Samples.EmsServer;

/// <summary>
/// The certificate a management server presents when it is not set to use its own SSL certificate: the same
/// self-signed certificate in every installation, shipped with the product. Its private key is public by
/// construction, which is exactly why agents must judge it invalid (it names no real server and no trusted
/// CA issued it), so the profile's invalid-certificate action applies.
/// </summary>
public static class VendorDefaultCertificate
{
    /// <summary>The certificate, PEM.</summary>
    public const string CertificatePem = """
-----BEGIN CERTIFICATE-----
MIICFzCCAb6gAwIBAgIUCmdedupAWIL2L5vpwQNmMt+Ao8UwCgYIKoZIzj0EAwIw
OzEXMBUGA1UECgwORXhhbXBsZSBWZW5kb3IxIDAeBgNVBAMMF0VNUyBEZWZhdWx0
IENlcnRpZmljYXRlMCAXDTI2MTEyNDE0MjQzN1oYDzIxMjYxMDMxMTQyNDM3WjA7
MRcwFQYDVQQKDA5FeGFtcGxlIFZlbmRvcjEgMB4GA1UEAwwXRU1TIERlZmF1bHQg
Q2VydGlmaWNhdGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATsOrJMXv4+Lram
0zaF7PHVE/jVe5LpC51pL8LGULLCjxGI570K5SiZCjFE8A6h62t8kQ1lYpAhYOgo
OrH9kFGWo4GdMIGaMB0GA1UdDgQWBBTUW+MXPJoCrMiK2ZdHJ7J3bpZgXzAfBgNV
HSMEGDAWgBTUW+MXPJoCrMiK2ZdHJ7J3bpZgXzAMBgNVHRMBAf8EAjAAMCUGA1Ud
EQQeMByCGmVtcy52ZW5kb3ItZGVmYXVsdC5pbnZhbGlkMA4GA1UdDwEB/wQEAwIH
gDATBgNVHSUEDDAKBggrBgEFBQcDATAKBggqhkjOPQQDAgNHADBEAiA+4MlmylmL
HG6sz1W4QRaRH3F/yD24kmy2RLsAytoD0wIgdNeiHekMQmWsIKFIr2SmGM3WD9qc
N2q3lpAOzVBc+S8=
-----END CERTIFICATE-----
""";

    private const string KeyPem = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgXg0OqEkP1FGU2TPo
QPyCeL30kfnc2uvCz3Zhei9E12ehRANCAATsOrJMXv4+Lram0zaF7PHVE/jVe5Lp
C51pL8LGULLCjxGI570K5SiZCjFE8A6h62t8kQ1lYpAhYOgoOrH9kFGW
-----END PRIVATE KEY-----
""";

    /// <summary>The certificate's SHA-256 (64 hexadecimal digits): the form an agent's distrust list or pins take.</summary>
    public static string CertificateSha256
    {
        get
        {
            using var certificate = X509Certificate2.CreateFromPem(CertificatePem);
            return certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        }
    }

    /// <summary>Its public key's SHA-256 as <c>sha256//BASE64</c> (curl's --pinnedpubkey form): matches every certificate with this key.</summary>
    public static string PublicKeySha256
    {
        get
        {
            using var certificate = X509Certificate2.CreateFromPem(CertificatePem);
            return "sha256//" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        }
    }

    /// <summary>The certificate with its private key, ready for a TLS server.</summary>
    public static X509Certificate2 Load() => X509Certificate2.CreateFromPem(CertificatePem, KeyPem);
}
