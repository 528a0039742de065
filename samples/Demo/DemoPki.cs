using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Samples.Demo;

/// <summary>
/// A throwaway PKI for the demo, written as PEM files in a temporary folder: a company root and
/// intermediate, the management server's certificates (good, expired, wrong name, renewed), and a root
/// nobody trusts.
/// </summary>
internal sealed class DemoPki : IDisposable
{
    public const string ServerName = "ems.example.test";

    private readonly X509Certificate2 _root;
    private readonly X509Certificate2 _intermediate;
    private readonly Dictionary<string, X509Certificate2> _privateCas = [];

    public DemoPki()
    {
        Folder = Directory.CreateTempSubdirectory("certpolicy-demo-").FullName;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        _root = CreateCa("Example Corp Root CA", issuer: null, now.AddYears(-3), now.AddYears(10));
        _intermediate = CreateCa("Example Corp Issuing CA", _root, now.AddYears(-2), now.AddYears(5));
        TrustPath = Path.Combine(Folder, "trust.pem");
        File.WriteAllText(TrustPath, _root.ExportCertificatePem() + "\n");
    }

    /// <summary>The folder holding every file; deleted on dispose.</summary>
    public string Folder { get; }

    /// <summary>The PEM bundle agents trust: the company root.</summary>
    public string TrustPath { get; }

    /// <summary>Issues a server certificate under the company intermediate and writes it (with the chain) and its key.</summary>
    public ServerFiles IssueServer(string fileName, string subjectCommonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress>? ipAddresses = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
        => Write(fileName, CreateLeaf(_intermediate, subjectCommonName, dnsNames, ipAddresses ?? [], notBefore ?? DateTimeOffset.UtcNow.AddDays(-30), notAfter ?? DateTimeOffset.UtcNow.AddDays(365)), [_intermediate]);

    /// <summary>Issues a server certificate under a root no agent trusts.</summary>
    public ServerFiles IssueUntrusted(string fileName, string subjectCommonName, IEnumerable<string> dnsNames)
    {
        using X509Certificate2 rogueRoot = CreateCa("Unknown Root CA", issuer: null, DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(5));
        return Write(fileName, CreateLeaf(rogueRoot, subjectCommonName, dnsNames, [], DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(365)), []);
    }

    /// <summary>
    /// Issues a server certificate under a private issuing CA named <paramref name="caName"/> (made on first use, under a
    /// root no agent trusts); the server sends the issuing CA with it.
    /// </summary>
    public ServerFiles IssuePrivate(string caName, string fileName, string subjectCommonName, IEnumerable<string> dnsNames)
    {
        if (!_privateCas.TryGetValue(caName, out X509Certificate2? ca))
        {
            using X509Certificate2 root = CreateCa(caName + " Root", issuer: null, DateTimeOffset.UtcNow.AddYears(-3), DateTimeOffset.UtcNow.AddYears(10));
            ca = CreateCa(caName, root, DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(5));
            _privateCas.Add(caName, ca);
        }

        return Write(fileName, CreateLeaf(ca, subjectCommonName, dnsNames, [], DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(365)), [ca]);
    }

    /// <summary>
    /// Issues a self-signed server certificate (like a vendor default), with a new key or, for a renewal, the key of
    /// <paramref name="keyOf"/>.
    /// </summary>
    public ServerFiles IssueSelfSigned(string fileName, string subjectCommonName, IEnumerable<string> dnsNames, ServerFiles? keyOf = null)
    {
        using ECDsa key = ECDsa.Create();
        if (keyOf is null)
        {
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
        }
        else
        {
            key.ImportFromPem(File.ReadAllText(keyOf.KeyPath));
        }

        return Write(fileName, CreateLeaf(null, subjectCommonName, dnsNames, [], DateTimeOffset.UtcNow.AddDays(keyOf is null ? -60 : -1), DateTimeOffset.UtcNow.AddDays(365), key), []);
    }

    public void Dispose()
    {
        _root.Dispose();
        _intermediate.Dispose();
        foreach (X509Certificate2 ca in _privateCas.Values)
        {
            ca.Dispose();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private ServerFiles Write(string fileName, X509Certificate2 leaf, X509Certificate2[] chain)
    {
        string certificatePath = Path.Combine(Folder, fileName + ".pem");
        string keyPath = Path.Combine(Folder, fileName + ".key.pem");
        File.WriteAllText(certificatePath, string.Concat(new[] { leaf }.Concat(chain).Select(c => c.ExportCertificatePem() + "\n")));
        using (ECDsa key = leaf.GetECDsaPrivateKey()!)
        {
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        }

        var files = new ServerFiles(certificatePath, keyPath, leaf.GetCertHashString(HashAlgorithmName.SHA256));
        leaf.Dispose();
        return files;
    }

    private static X509Certificate2 CreateCa(string commonName, X509Certificate2? issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=Example Corp", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using X509Certificate2 signed = request.Create(issuer, notBefore, notAfter, NewSerial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>A server certificate signed by <paramref name="issuer"/>, or self-signed when it is null; with a new key unless <paramref name="existingKey"/> is given.</summary>
    private static X509Certificate2 CreateLeaf(X509Certificate2? issuer, string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> ipAddresses, DateTimeOffset notBefore, DateTimeOffset notAfter, ECDsa? existingKey = null)
    {
        using ECDsa? newKey = existingKey is null ? ECDsa.Create(ECCurve.NamedCurves.nistP256) : null;
        ECDsa key = existingKey ?? newKey!;
        var request = new CertificateRequest($"CN={commonName}, O=Example Corp", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var san = new SubjectAlternativeNameBuilder();
        bool namesAny = false;
        foreach (string name in dnsNames)
        {
            san.AddDnsName(name);
            namesAny = true;
        }

        foreach (IPAddress address in ipAddresses)
        {
            san.AddIpAddress(address);
            namesAny = true;
        }

        // No names at all: no subjectAltName extension (an empty one would be malformed), as old CN-only certificates.
        if (namesAny)
        {
            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (issuer is null)
        {
            return request.CreateSelfSigned(notBefore, notAfter);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using X509Certificate2 signed = request.Create(issuer, notBefore, notAfter, NewSerial());
        return signed.CopyWithPrivateKey(key);
    }

    private static byte[] NewSerial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}

/// <summary>A server certificate's files: the chain PEM (leaf first), the key PEM, and the leaf's SHA-256.</summary>
internal sealed record ServerFiles(string CertificatePath, string KeyPath, string Sha256);
