using System.Formats.Asn1;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Tests.Support;

/// <summary>The key algorithm of a generated certificate.</summary>
public enum TestKeyKind
{
    EcdsaP256,
    Rsa2048,
    EcdsaP384,
    Rsa1024,
    EcdsaP192,
}

/// <summary>
/// Everything <see cref="TestPki.Issue"/> can vary in a certificate. The defaults give a well-formed web PKI
/// certificate; each knob breaks or changes one thing.
/// </summary>
public sealed record TestCertificateSpec
{
    /// <summary>The subject, as X.500 text ("CN=..., O=..."); empty for an empty subject.</summary>
    public string Subject { get; init; } = "CN=test";

    /// <summary>The issuer name written into the certificate; the issuer's subject when null.</summary>
    public string? IssuerName { get; init; }

    public TestKeyKind Key { get; init; } = TestKeyKind.EcdsaP256;

    /// <summary>Certify this existing key instead of a new one (cross-signing, re-issuing); its private key is not needed.</summary>
    public X509Certificate2? KeyOf { get; init; }

    public DateTimeOffset? NotBefore { get; init; }

    public DateTimeOffset? NotAfter { get; init; }

    /// <summary>The serial number's bytes (big-endian, two's complement); random and positive when null.</summary>
    public byte[]? SerialNumber { get; init; }

    /// <summary>cA of basicConstraints; null leaves the extension out.</summary>
    public bool? IsCertificateAuthority { get; init; }

    public int? PathLength { get; init; }

    public bool BasicConstraintsCritical { get; init; } = true;

    /// <summary>keyUsage; null leaves the extension out.</summary>
    public X509KeyUsageFlags? KeyUsage { get; init; }

    public bool KeyUsageCritical { get; init; } = true;

    /// <summary>extendedKeyUsage purposes (dotted OIDs); null leaves the extension out.</summary>
    public IReadOnlyList<string>? ExtendedKeyUsages { get; init; }

    public bool ExtendedKeyUsageCritical { get; init; }

    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public IReadOnlyList<IPAddress> IPAddresses { get; init; } = [];

    public IReadOnlyList<string> EmailAddresses { get; init; } = [];

    public bool SubjectAlternativeNameCritical { get; init; }

    public bool IncludeSubjectKeyIdentifier { get; init; } = true;

    public bool IncludeAuthorityKeyIdentifier { get; init; } = true;

    /// <summary>Further extensions, added last (name constraints, CRL distribution points, unknown ones, duplicates).</summary>
    public IReadOnlyList<X509Extension> Extensions { get; init; } = [];
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

    /// <summary>
    /// Issues a certificate as <paramref name="spec"/> describes, signed by <paramref name="issuer"/> (its private key),
    /// or self-signed when <paramref name="issuer"/> is null. The private key is attached unless <see cref="TestCertificateSpec.KeyOf"/> is used.
    /// </summary>
    public static X509Certificate2 Issue(X509Certificate2? issuer, TestCertificateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using AsymmetricAlgorithm? pair = spec.KeyOf is null ? NewKey(spec.Key) : null;
        var subject = new X500DistinguishedName(spec.Subject);
        CertificateRequest request = pair is not null
            ? NewRequest(subject, pair)
            : new CertificateRequest(subject, spec.KeyOf!.PublicKey, HashAlgorithmName.SHA256, spec.KeyOf.GetRSAPublicKey() is null ? null : RSASignaturePadding.Pkcs1);
        if (spec.IsCertificateAuthority is bool ca)
        {
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, spec.PathLength.HasValue, spec.PathLength ?? 0, spec.BasicConstraintsCritical));
        }

        if (spec.KeyUsage is { } usage)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, spec.KeyUsageCritical));
        }

        if (spec.ExtendedKeyUsages is { } purposes)
        {
            var oids = new OidCollection();
            foreach (string purpose in purposes)
            {
                oids.Add(new Oid(purpose));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, spec.ExtendedKeyUsageCritical));
        }

        if (spec.DnsNames.Count + spec.IPAddresses.Count + spec.EmailAddresses.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string name in spec.DnsNames)
            {
                san.AddDnsName(name);
            }

            foreach (IPAddress address in spec.IPAddresses)
            {
                san.AddIpAddress(address);
            }

            foreach (string email in spec.EmailAddresses)
            {
                san.AddEmailAddress(email);
            }

            request.CertificateExtensions.Add(san.Build(spec.SubjectAlternativeNameCritical));
        }

        if (spec.IncludeSubjectKeyIdentifier)
        {
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        }

        if (spec.IncludeAuthorityKeyIdentifier && issuer is not null)
        {
            request.CertificateExtensions.Add(issuer.Extensions["2.5.29.14"] is X509SubjectKeyIdentifierExtension issuerKeyIdentifier
                ? X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuerKeyIdentifier)
                : X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(new X509SubjectKeyIdentifierExtension(issuer.PublicKey, false)));
        }

        foreach (X509Extension extension in spec.Extensions)
        {
            request.CertificateExtensions.Add(extension);
        }

        byte[] serial = spec.SerialNumber ?? RandomSerial();
        DateTimeOffset notBefore = spec.NotBefore ?? DefaultNotBefore;
        DateTimeOffset notAfter = spec.NotAfter ?? DefaultNotAfter;
        X500DistinguishedName issuerName = spec.IssuerName is { } written ? new X500DistinguishedName(written) : issuer?.SubjectName ?? subject;
        X509SignatureGenerator generator = issuer is null
            ? Generator(pair ?? throw new ArgumentException("A self-signed certificate needs its own key.", nameof(spec)))
            : Generator(issuer);
        X509Certificate2 signed = request.Create(issuerName, generator, notBefore, notAfter, serial);
        if (pair is null)
        {
            return signed;
        }

        using (signed)
        {
            return pair switch
            {
                ECDsa ec => signed.CopyWithPrivateKey(ec),
                RSA rsa => signed.CopyWithPrivateKey(rsa),
                _ => throw new ArgumentOutOfRangeException(nameof(spec)),
            };
        }
    }

    /// <summary>A CA's spec: cA, keyCertSign and cRLSign, subject key identifier.</summary>
    public static TestCertificateSpec CaSpec(string subject, int? pathLength = null) => new()
    {
        Subject = subject,
        IsCertificateAuthority = true,
        PathLength = pathLength,
        KeyUsage = X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign,
    };

    /// <summary>A TLS server leaf's spec: serverAuth, digitalSignature, the DNS names in the SAN, the first as common name.</summary>
    public static TestCertificateSpec LeafSpec(params string[] dnsNames) => new()
    {
        Subject = dnsNames.Length > 0 ? $"CN={dnsNames[0]}" : "CN=leaf",
        IsCertificateAuthority = false,
        KeyUsage = X509KeyUsageFlags.DigitalSignature,
        ExtendedKeyUsages = [CertificateValidatorOptions.ServerAuthenticationOid],
        DnsNames = dnsNames,
    };

    /// <summary>A nameConstraints extension (RFC 5280 4.2.1.10) from subtree bases, each a GeneralName's DER.</summary>
    public static X509Extension NameConstraints(IEnumerable<byte[]>? permitted, IEnumerable<byte[]>? excluded, bool critical = true)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteSubtrees(writer, 0, permitted);
            WriteSubtrees(writer, 1, excluded);
        }

        return new X509Extension("2.5.29.30", writer.Encode(), critical);
    }

    /// <summary>A dNSName GeneralName.</summary>
    public static byte[] DnsName(string name) => Ia5Name(2, name);

    /// <summary>An rfc822Name GeneralName.</summary>
    public static byte[] EmailName(string mailbox) => Ia5Name(1, mailbox);

    /// <summary>A uniformResourceIdentifier GeneralName.</summary>
    public static byte[] UriName(string uri) => Ia5Name(6, uri);

    /// <summary>An iPAddress GeneralName for a name constraint: the address then the mask ("192.0.2.0/24").</summary>
    public static byte[] IPSubtree(string cidr)
    {
        string[] parts = cidr.Split('/');
        byte[] address = IPAddress.Parse(parts[0]).GetAddressBytes();
        int prefix = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var mask = new byte[address.Length];
        for (int bit = 0; bit < prefix; bit++)
        {
            mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return RawOctets(7, [.. address, .. mask]);
    }

    /// <summary>An iPAddress GeneralName with arbitrary octets (for malformed constraints and names).</summary>
    public static byte[] RawOctets(int tag, byte[] octets)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(octets, new Asn1Tag(TagClass.ContextSpecific, tag));
        return writer.Encode();
    }

    /// <summary>A directoryName GeneralName.</summary>
    public static byte[] DirectoryName(string name)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 4, true)))
        {
            writer.WriteEncodedValue(new X500DistinguishedName(name).RawData);
        }

        return writer.Encode();
    }

    /// <summary>A subjectAltName extension from GeneralNames' DER (for names the platform builder refuses).</summary>
    public static X509Extension SubjectAlternativeName(IEnumerable<byte[]> names, bool critical = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (byte[] name in names)
            {
                writer.WriteEncodedValue(name);
            }
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical);
    }

    /// <summary>A cRLDistributionPoints extension naming one URI.</summary>
    public static X509Extension CrlDistributionPoint(string uri) =>
        CertificateRevocationListBuilder.BuildCrlDistributionPointExtension([uri]);

    /// <summary>A CRL signed by <paramref name="issuer"/> that revokes the given certificates.</summary>
    public static byte[] CreateCrl(
        X509Certificate2 issuer,
        IEnumerable<X509Certificate2>? revoked = null,
        DateTimeOffset? thisUpdate = null,
        DateTimeOffset? nextUpdate = null,
        BigInteger? crlNumber = null)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (X509Certificate2 certificate in revoked ?? [])
        {
            builder.AddEntry(certificate, (thisUpdate ?? Now).AddDays(-1));
        }

        DateTimeOffset from = thisUpdate ?? Now.AddDays(-1);
        return builder.Build(issuer, crlNumber ?? BigInteger.One, nextUpdate ?? from.AddDays(30), HashAlgorithmName.SHA256, issuer.GetRSAPrivateKey() is null ? null : RSASignaturePadding.Pkcs1, from);
    }

    /// <summary>
    /// Re-signs a certificate after changing the fields of its tbsCertificate (each field's DER, in order: version,
    /// serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions), for shapes the platform
    /// refuses to create (negative serials, v1 certificates, mismatched algorithms). Returns the new DER.
    /// </summary>
    public static byte[] Resign(X509Certificate2 certificate, X509Certificate2 issuer, Func<List<byte[]>, List<byte[]>> changeFields, byte[]? outerAlgorithm = null) =>
        Resign(certificate.RawData, issuer, changeFields, outerAlgorithm);

    /// <summary>
    /// Re-signs any signed DER structure of the X.509 shape (SEQUENCE of a to-be-signed SEQUENCE, the algorithm and
    /// the signature: a certificate or a CRL) after changing the fields of its to-be-signed part. Returns the new DER.
    /// </summary>
    public static byte[] Resign(byte[] signedDer, X509Certificate2 issuer, Func<List<byte[]>, List<byte[]>> changeFields, byte[]? outerAlgorithm = null)
    {
        var reader = new AsnReader(signedDer, AsnEncodingRules.DER);
        AsnReader outer = reader.ReadSequence();
        AsnReader tbs = outer.ReadSequence();
        byte[] algorithm = outer.ReadEncodedValue().ToArray();
        var fields = new List<byte[]>();
        while (tbs.HasData)
        {
            fields.Add(tbs.ReadEncodedValue().ToArray());
        }

        var tbsWriter = new AsnWriter(AsnEncodingRules.DER);
        using (tbsWriter.PushSequence())
        {
            foreach (byte[] field in changeFields(fields))
            {
                tbsWriter.WriteEncodedValue(field);
            }
        }

        byte[] tbsDer = tbsWriter.Encode();
        byte[] signature = issuer.GetECDsaPrivateKey() is { } ec
            ? ec.SignData(tbsDer, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
            : issuer.GetRSAPrivateKey()!.SignData(tbsDer, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(tbsDer);
            writer.WriteEncodedValue(outerAlgorithm ?? algorithm);
            writer.WriteBitString(signature);
        }

        return writer.Encode();
    }

    /// <summary>Re-signs a certificate after changing its list of extensions (each extension's DER, in order).</summary>
    public static byte[] ResignExtensions(X509Certificate2 certificate, X509Certificate2 issuer, Func<List<byte[]>, List<byte[]>> changeExtensions) =>
        Resign(certificate, issuer, fields =>
        {
            int index = fields.FindIndex(f => f[0] == 0xA3);
            var reader = new AsnReader(fields[index], AsnEncodingRules.DER);
            AsnReader list = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true)).ReadSequence();
            var extensions = new List<byte[]>();
            while (list.HasData)
            {
                extensions.Add(list.ReadEncodedValue().ToArray());
            }

            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true)))
            {
                using (writer.PushSequence())
                {
                    foreach (byte[] extension in changeExtensions(extensions))
                    {
                        writer.WriteEncodedValue(extension);
                    }
                }
            }

            fields[index] = writer.Encode();
            return fields;
        });

    /// <summary>The DER of an INTEGER with the given content bytes (two's complement, as given).</summary>
    public static byte[] IntegerDer(params byte[] contents)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteInteger(contents);
        return writer.Encode();
    }

    /// <summary>PEM text of the certificates, in order.</summary>
    public static string ToPem(params IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    /// <summary>The DER of each certificate, in order, as the validator takes them.</summary>
    public static ReadOnlyMemory<byte>[] Der(params IEnumerable<X509Certificate2> certificates) =>
        [.. certificates.Select(c => (ReadOnlyMemory<byte>)c.RawData)];

    private static CertificateRequest NewRequest(string subject, AsymmetricAlgorithm pair) => NewRequest(new X500DistinguishedName(subject), pair);

    private static CertificateRequest NewRequest(X500DistinguishedName subject, AsymmetricAlgorithm pair) => pair switch
    {
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentOutOfRangeException(nameof(pair)),
    };

    private static AsymmetricAlgorithm NewKey(TestKeyKind key) => key switch
    {
        TestKeyKind.EcdsaP256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        TestKeyKind.EcdsaP384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        TestKeyKind.EcdsaP192 => ECDsa.Create(ECCurve.CreateFromValue("1.2.840.10045.3.1.1")),
        TestKeyKind.Rsa2048 => RSA.Create(2048),
        TestKeyKind.Rsa1024 => RSA.Create(1024),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    private static X509SignatureGenerator Generator(AsymmetricAlgorithm key) => key switch
    {
        ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
        RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
        _ => throw new ArgumentOutOfRangeException(nameof(key)),
    };

    private static X509SignatureGenerator Generator(X509Certificate2 issuer) =>
        issuer.GetECDsaPrivateKey() is { } ecKey
            ? X509SignatureGenerator.CreateForECDsa(ecKey)
            : X509SignatureGenerator.CreateForRSA(issuer.GetRSAPrivateKey() ?? throw new InvalidOperationException("The issuer has no private key."), RSASignaturePadding.Pkcs1);

    private static byte[] RandomSerial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        serial[0] |= 0x01;
        return serial;
    }

    private static byte[] Ia5Name(int tag, string value)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteCharacterString(UniversalTagNumber.IA5String, value, new Asn1Tag(TagClass.ContextSpecific, tag));
        return writer.Encode();
    }

    private static void WriteSubtrees(AsnWriter writer, int tag, IEnumerable<byte[]>? bases)
    {
        if (bases is null)
        {
            return;
        }

        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, tag, true)))
        {
            foreach (byte[] name in bases)
            {
                using (writer.PushSequence())
                {
                    writer.WriteEncodedValue(name);
                }
            }
        }
    }

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
