using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Tests.Support;

/// <summary>The key algorithm of a generated certificate.</summary>
public enum TestKeyKind
{
    EcdsaP256,
    Rsa2048,
}

/// <summary>
/// Generates real certificates for tests with the platform's <see cref="CertificateRequest"/>: roots,
/// intermediates and leaves with the extensions a web PKI certificate carries (basic constraints, key usage,
/// EKU, SAN, subject and authority key identifiers). Every certificate has its private key attached.
/// </summary>
public static class TestPki
{
    public static readonly DateTimeOffset DefaultNotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset DefaultNotAfter = new(2035, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A time inside the default validity period, for fake clocks.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static X509Certificate2 CreateRoot(
        string commonName = "CertPolicy Test Root",
        TestKeyKind key = TestKeyKind.EcdsaP256,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        int? pathLength = null)
    {
        using AsymmetricAlgorithm pair = NewKey(key);
        CertificateRequest request = NewRequest($"CN={commonName}", pair);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength.HasValue, pathLength ?? 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(request.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        return request.CreateSelfSigned(notBefore ?? DefaultNotBefore, notAfter ?? DefaultNotAfter);
    }

    public static X509Certificate2 CreateIntermediate(
        X509Certificate2 issuer,
        string commonName = "CertPolicy Test Intermediate",
        TestKeyKind key = TestKeyKind.EcdsaP256,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        int? pathLength = null)
    {
        using AsymmetricAlgorithm pair = NewKey(key);
        CertificateRequest request = NewRequest($"CN={commonName}", pair);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, pathLength.HasValue, pathLength ?? 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        return Sign(request, issuer, pair, notBefore, notAfter);
    }

    public static X509Certificate2 CreateLeaf(
        X509Certificate2 issuer,
        IEnumerable<string>? dnsNames = null,
        IEnumerable<IPAddress>? ipAddresses = null,
        string? commonName = null,
        TestKeyKind key = TestKeyKind.EcdsaP256,
        DateTimeOffset? notBefore = null,
        DateTimeOffset? notAfter = null,
        bool serverAuth = true,
        bool includeSan = true)
    {
        using AsymmetricAlgorithm pair = NewKey(key);
        string[] names = dnsNames?.ToArray() ?? ["server.example.test"];
        IPAddress[] ips = ipAddresses?.ToArray() ?? [];
        CertificateRequest request = NewRequest($"CN={commonName ?? (names.Length > 0 ? names[0] : "leaf")}", pair);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        if (serverAuth)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        }

        if (includeSan && (names.Length > 0 || ips.Length > 0))
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string name in names)
            {
                san.AddDnsName(name);
            }

            foreach (IPAddress ip in ips)
            {
                san.AddIpAddress(ip);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        return Sign(request, issuer, pair, notBefore, notAfter);
    }

    /// <summary>A self-signed leaf, like a vendor's default certificate.</summary>
    public static X509Certificate2 CreateSelfSignedLeaf(string commonName, IEnumerable<string>? dnsNames = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using ECDsa pair = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = NewRequest($"CN={commonName}", pair);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in dnsNames ?? [commonName])
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(notBefore ?? DefaultNotBefore, notAfter ?? DefaultNotAfter);
    }

    /// <summary>PEM text of the certificates, in order.</summary>
    public static string ToPem(params IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    /// <summary>The DER of each certificate, in order, as the validator takes them.</summary>
    public static ReadOnlyMemory<byte>[] Der(params IEnumerable<X509Certificate2> certificates) =>
        [.. certificates.Select(c => (ReadOnlyMemory<byte>)c.RawData)];

    private static CertificateRequest NewRequest(string subject, AsymmetricAlgorithm pair) => pair switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentOutOfRangeException(nameof(pair)),
    };

    private static AsymmetricAlgorithm NewKey(TestKeyKind key) => key switch
    {
        TestKeyKind.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        TestKeyKind.Rsa2048 => RSA.Create(2048),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    private static X509Certificate2 Sign(CertificateRequest request, X509Certificate2 issuer, AsymmetricAlgorithm pair, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        X509SignatureGenerator generator = issuer.GetECDsaPrivateKey() is { } ecKey
            ? X509SignatureGenerator.CreateForECDsa(ecKey)
            : X509SignatureGenerator.CreateForRSA(issuer.GetRSAPrivateKey() ?? throw new InvalidOperationException("The issuer has no private key."), RSASignaturePadding.Pkcs1);
        using X509Certificate2 signed = request.Create(issuer.SubjectName, generator, notBefore ?? DefaultNotBefore, notAfter ?? DefaultNotAfter, serial);
        return pair switch
        {
            ECDsa ec => signed.CopyWithPrivateKey(ec),
            RSA rsa => signed.CopyWithPrivateKey(rsa),
            _ => throw new ArgumentOutOfRangeException(nameof(pair)),
        };
    }
}
