using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace CertPolicy;

/// <summary>
/// A certificate decoded once, strictly (DER), into what the path builder needs. Structural errors make parsing fail
/// (<see cref="TryParse"/>); profile breaches that still leave a usable certificate are kept as <see cref="Defects"/>
/// and reported only when the certificate is used in a path. Immutable, except for the public key imported on first
/// use (<see cref="Verifier"/>).
/// </summary>
internal sealed class ParsedCertificate
{
    private static readonly HashSet<string> RecognizedExtensions = new(StringComparer.Ordinal)
    {
        Oids.SubjectKeyIdentifier, Oids.KeyUsage, Oids.SubjectAlternativeName, Oids.IssuerAlternativeName,
        Oids.BasicConstraints, Oids.NameConstraints, Oids.CrlDistributionPoints, Oids.CertificatePolicies,
        Oids.PolicyMappings, Oids.AuthorityKeyIdentifier, Oids.PolicyConstraints, Oids.ExtendedKeyUsage,
        Oids.FreshestCrl, Oids.InhibitAnyPolicy, Oids.AuthorityInformationAccess, Oids.SubjectInformationAccess,
    };

    private SignatureVerifier? _verifier;
    private string? _fingerprint;

    private ParsedCertificate(ReadOnlyMemory<byte> encoded)
    {
        Encoded = encoded;
    }

    /// <summary>The certificate's DER.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>The DER of tbsCertificate: what the signature covers.</summary>
    public ReadOnlyMemory<byte> TbsCertificate { get; private set; }

    /// <summary>Certificate.signatureAlgorithm.</summary>
    public AlgorithmIdentifier SignatureAlgorithm { get; private set; } = null!;

    /// <summary>TBSCertificate.signature.</summary>
    public AlgorithmIdentifier TbsSignatureAlgorithm { get; private set; } = null!;

    /// <summary>The signature value.</summary>
    public ReadOnlyMemory<byte> Signature { get; private set; }

    /// <summary>1, 2 or 3.</summary>
    public int Version { get; private set; }

    /// <summary>The contents of the serialNumber INTEGER (big-endian two's complement).</summary>
    public ReadOnlyMemory<byte> SerialNumber { get; private set; }

    public DistinguishedName Issuer { get; private set; } = null!;

    public DistinguishedName Subject { get; private set; } = null!;

    public DateTimeOffset NotBefore { get; private set; }

    public DateTimeOffset NotAfter { get; private set; }

    public PublicKeyInfo PublicKey { get; private set; } = null!;

    public IReadOnlyList<CertificateExtension> Extensions { get; private set; } = [];

    public BasicConstraintsExtension? BasicConstraints { get; private set; }

    public KeyUsageExtension? KeyUsage { get; private set; }

    public ExtendedKeyUsageExtension? ExtendedKeyUsage { get; private set; }

    public NameConstraintsExtension? NameConstraints { get; private set; }

    public AuthorityKeyIdentifierExtension? AuthorityKeyIdentifier { get; private set; }

    /// <summary>The subjectKeyIdentifier, when present.</summary>
    public ReadOnlyMemory<byte>? SubjectKeyIdentifier { get; private set; }

    /// <summary>The subjectAltName entries; empty when the extension is absent.</summary>
    public IReadOnlyList<GeneralName> SubjectAlternativeNames { get; private set; } = [];

    /// <summary>The subjectAltName extension, when present (for its criticality).</summary>
    public CertificateExtension? SubjectAlternativeNameExtension { get; private set; }

    /// <summary>The CRL distribution points, when present and well-formed.</summary>
    public IReadOnlyList<DistributionPoint>? CrlDistributionPoints { get; private set; }

    /// <summary>The dNSName entries of the subjectAltName, as encoded.</summary>
    public IReadOnlyList<string> DnsNames { get; private set; } = [];

    /// <summary>The iPAddress entries of the subjectAltName, as encoded (4 or 16 bytes when well-formed).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> IPAddresses { get; private set; } = [];

    /// <summary>Profile breaches found while parsing.</summary>
    public IReadOnlyList<CertificateDefect> Defects { get; private set; } = [];

    /// <summary>True when subject and issuer are the same name (RFC 5280 "self-issued").</summary>
    public bool IsSelfIssued { get; private set; }

    /// <summary>True when basicConstraints asserts cA.</summary>
    public bool IsCertificateAuthority => BasicConstraints?.IsCertificateAuthority == true;

    /// <summary>The SHA-256 of the DER, as upper-case hexadecimal.</summary>
    public string Sha256Fingerprint => _fingerprint ??= Convert.ToHexString(SHA256.HashData(Encoded.Span));

    /// <summary>The verifier of signatures made with this certificate's key (shared by every certificate with the same key).</summary>
    public SignatureVerifier Verifier => _verifier ??= SignatureCache.VerifierFor(PublicKey);

    /// <summary>The subject as text.</summary>
    public override string ToString() => Subject.ToString();

    /// <summary>What a person needs to recognise this certificate.</summary>
    public CertificateSummary ToSummary()
    {
        var addresses = new List<string>(IPAddresses.Count);
        foreach (ReadOnlyMemory<byte> address in IPAddresses)
        {
            addresses.Add(address.Length is 4 or 16 ? new System.Net.IPAddress(address.Span).ToString() : Convert.ToHexString(address.Span));
        }

        return new CertificateSummary(
            Subject.ToString(),
            Issuer.ToString(),
            Convert.ToHexString(SerialNumber.Span),
            NotBefore,
            NotAfter,
            Sha256Fingerprint,
            [.. DnsNames],
            addresses)
        {
            PublicKeySha256 = PublicKey.Fingerprint,
            Parsed = this,
        };
    }

    /// <summary>Parses a certificate; never throws for bad input.</summary>
    /// <param name="der">The certificate's DER. Kept by reference: the caller must not change it.</param>
    /// <param name="certificate">The certificate, when it is well-formed.</param>
    /// <param name="error">Why it is not, otherwise.</param>
    public static bool TryParse(ReadOnlyMemory<byte> der, [NotNullWhen(true)] out ParsedCertificate? certificate, [NotNullWhen(false)] out string? error)
    {
        certificate = null;
        if (der.IsEmpty)
        {
            error = "The certificate is empty.";
            return false;
        }

        try
        {
            var parsed = new ParsedCertificate(der);
            parsed.Decode();
            certificate = parsed;
            error = null;
            return true;
        }
        catch (AsnContentException e)
        {
            error = "The certificate is not valid DER: " + e.Message;
            return false;
        }
        catch (CryptographicException e)
        {
            error = "The certificate cannot be decoded: " + e.Message;
            return false;
        }
        catch (ArgumentException e)
        {
            error = "The certificate cannot be decoded: " + e.Message;
            return false;
        }
    }

    /// <summary>
    /// The subject of a certificate that <see cref="TryParse"/> refused, read as leniently as BER allows and without
    /// any other check, so that a report can say which certificate was sent; null when even that cannot be read.
    /// </summary>
    public static DistinguishedName? TryReadSubjectOfUnusable(ReadOnlyMemory<byte> encoded)
    {
        try
        {
            var reader = new AsnReader(encoded, AsnEncodingRules.BER);
            AsnReader tbs = reader.ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                _ = tbs.ReadEncodedValue();
            }

            for (int field = 0; field < 4; field++)
            {
                // serialNumber, signature, issuer, validity
                _ = tbs.ReadEncodedValue();
            }

            return DistinguishedName.Read(tbs);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    private void Decode()
    {
        var reader = new AsnReader(Encoded, AsnEncodingRules.DER);
        AsnReader certificate = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        TbsCertificate = certificate.PeekEncodedValue();
        AsnReader tbs = certificate.ReadSequence();
        SignatureAlgorithm = AlgorithmIdentifier.Read(certificate);
        Signature = certificate.ReadBitString(out int unusedBits);
        certificate.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            throw new AsnContentException("The signature is not a whole number of bytes.");
        }

        var defects = new List<CertificateDefect>();
        Version = 1;
        if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            AsnReader version = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            if (!version.TryReadInt32(out int value) || value is < 0 or > 2)
            {
                throw new AsnContentException("The version is not v1, v2 or v3.");
            }

            version.ThrowIfNotEmpty();
            Version = value + 1;
        }

        SerialNumber = tbs.ReadIntegerBytes();
        TbsSignatureAlgorithm = AlgorithmIdentifier.Read(tbs);
        Issuer = DistinguishedName.Read(tbs);
        AsnReader validity = tbs.ReadSequence();
        NotBefore = ReadTime(validity);
        NotAfter = ReadTime(validity);
        validity.ThrowIfNotEmpty();
        Subject = DistinguishedName.Read(tbs);
        PublicKey = PublicKeyInfo.Read(tbs);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            _ = tbs.ReadBitString(out _, new Asn1Tag(TagClass.ContextSpecific, 1));
        }

        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
        {
            _ = tbs.ReadBitString(out _, new Asn1Tag(TagClass.ContextSpecific, 2));
        }

        var extensions = new List<CertificateExtension>();
        if (tbs.HasData)
        {
            if (Version != 3)
            {
                throw new AsnContentException("Only v3 certificates may have extensions.");
            }

            AsnReader wrapper = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true));
            AsnReader list = wrapper.ReadSequence();
            wrapper.ThrowIfNotEmpty();
            while (list.HasData)
            {
                AsnReader extension = list.ReadSequence();
                string oid = extension.ReadObjectIdentifier();
                bool critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
                ReadOnlyMemory<byte> value = extension.ReadOctetString();
                extension.ThrowIfNotEmpty();
                extensions.Add(new CertificateExtension(oid, critical, value));
            }
        }

        tbs.ThrowIfNotEmpty();
        Extensions = extensions;
        IsSelfIssued = Subject.Equals(Issuer);

        if (Version != 3)
        {
            defects.Add(new(CertificateProblemKinds.NonConformingCertificate, $"The certificate is X.509 v{Version}; only v3 certificates are accepted."));
        }

        if (!SignatureAlgorithm.Encoded.Span.SequenceEqual(TbsSignatureAlgorithm.Encoded.Span))
        {
            defects.Add(new(CertificateProblemKinds.UnsupportedSignatureAlgorithm, "The signature algorithm outside the signed part differs from the one inside it."));
        }

        if (Issuer.IsEmpty)
        {
            defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "The issuer name is empty."));
        }

        if (PublicKey.ForbiddenReason is { } keyReason)
        {
            defects.Add(new(CertificateProblemKinds.WeakKey, keyReason));
        }

        DecodeExtensions(extensions, defects);
        Defects = defects;
    }

    private void DecodeExtensions(List<CertificateExtension> extensions, List<CertificateDefect> defects)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dnsNames = new List<string>();
        var ipAddresses = new List<ReadOnlyMemory<byte>>();
        foreach (CertificateExtension extension in extensions)
        {
            if (!seen.Add(extension.Oid))
            {
                defects.Add(new(CertificateProblemKinds.NonConformingCertificate, $"The extension {extension.Oid} appears more than once."));
                continue;
            }

            if (!RecognizedExtensions.Contains(extension.Oid))
            {
                if (extension.Critical)
                {
                    defects.Add(new(CertificateProblemKinds.UnhandledCriticalExtension, $"The critical extension {extension.Oid} is not understood.", MayConstrain: true));
                }

                continue;
            }

            try
            {
                DecodeExtension(extension, defects, dnsNames, ipAddresses);
            }
            catch (AsnContentException e)
            {
                defects.Add(new(CertificateProblemKinds.MalformedCertificate, $"The extension {ExtensionName(extension.Oid)} is malformed: {e.Message}", MayConstrain: true));
            }
        }

        DnsNames = dnsNames;
        IPAddresses = ipAddresses;
        if (BasicConstraints is { } basic && KeyUsage is { } usage)
        {
            if (basic.IsCertificateAuthority && !usage.Has(KeyUsageBits.KeyCertSign))
            {
                defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "basicConstraints asserts cA but keyUsage does not assert keyCertSign."));
            }
        }

        if (KeyUsage is { } keyUsage && keyUsage.Has(KeyUsageBits.KeyCertSign) && !IsCertificateAuthority)
        {
            defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "keyUsage asserts keyCertSign but basicConstraints does not assert cA."));
        }

        if (BasicConstraints is { PathLength: not null } constraints &&
            (!constraints.IsCertificateAuthority || (KeyUsage is { } bits && !bits.Has(KeyUsageBits.KeyCertSign))))
        {
            defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "pathLenConstraint is set although the certificate is not a CA allowed to sign certificates."));
        }

        if (KeyUsage is { } signatureOnly && PublicKey.IsSignatureOnly &&
            (signatureOnly.Bits & (KeyUsageBits.KeyEncipherment | KeyUsageBits.DataEncipherment | KeyUsageBits.KeyAgreement | KeyUsageBits.EncipherOnly | KeyUsageBits.DecipherOnly)) != 0)
        {
            defects.Add(new(CertificateProblemKinds.InvalidKeyUsage, $"keyUsage asserts encryption or key agreement for a {PublicKey.Description} key, which can only sign."));
        }
    }

    private void DecodeExtension(CertificateExtension extension, List<CertificateDefect> defects, List<string> dnsNames, List<ReadOnlyMemory<byte>> ipAddresses)
    {
        switch (extension.Oid)
        {
            case Oids.BasicConstraints:
                BasicConstraints = BasicConstraintsExtension.Decode(extension.Value, extension.Critical);
                break;
            case Oids.KeyUsage:
                KeyUsage = KeyUsageExtension.Decode(extension.Value, extension.Critical);
                if (KeyUsage.Bits == KeyUsageBits.None)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "keyUsage asserts no usage at all."));
                }

                break;
            case Oids.ExtendedKeyUsage:
                ExtendedKeyUsage = ExtendedKeyUsageExtension.Decode(extension.Value, extension.Critical);
                if (ExtendedKeyUsage.Purposes.Length == 0)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "extendedKeyUsage lists no purpose."));
                }

                break;
            case Oids.SubjectAlternativeName:
                var reader = new AsnReader(extension.Value, AsnEncodingRules.DER);
                GeneralName[] names = GeneralName.ReadSequence(reader);
                reader.ThrowIfNotEmpty();
                SubjectAlternativeNames = names;
                SubjectAlternativeNameExtension = extension;
                foreach (GeneralName name in names)
                {
                    if (name.Kind == GeneralNameKind.DnsName)
                    {
                        dnsNames.Add(name.Text!);
                    }
                    else if (name.Kind == GeneralNameKind.IPAddress)
                    {
                        ipAddresses.Add(name.Bytes);
                    }
                }

                break;
            case Oids.NameConstraints:
                NameConstraints = NameConstraintsExtension.Decode(extension.Value, extension.Critical);
                if (NameConstraints.Count == 0)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "nameConstraints has neither permitted nor excluded subtrees."));
                }
                else if (NameConstraintChecker.FindMalformedSubtree(NameConstraints) is { } malformed)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, $"nameConstraints is malformed: {malformed}.", MayConstrain: true));
                }

                break;
            case Oids.AuthorityKeyIdentifier:
                AuthorityKeyIdentifier = AuthorityKeyIdentifierExtension.Decode(extension.Value, extension.Critical);
                if (extension.Critical)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "authorityKeyIdentifier is marked critical; it must not be."));
                }

                break;
            case Oids.SubjectKeyIdentifier:
                var skiReader = new AsnReader(extension.Value, AsnEncodingRules.DER);
                SubjectKeyIdentifier = skiReader.ReadOctetString();
                skiReader.ThrowIfNotEmpty();
                if (extension.Critical)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "subjectKeyIdentifier is marked critical; it must not be."));
                }

                break;
            case Oids.AuthorityInformationAccess:
            case Oids.SubjectInformationAccess:
                ReadAccessDescriptions(extension.Value);
                if (extension.Critical)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, $"{ExtensionName(extension.Oid)} is marked critical; it must not be."));
                }

                break;
            case Oids.CrlDistributionPoints:
                CrlDistributionPoints = DistributionPoint.DecodeList(extension.Value);
                break;
            case Oids.PolicyConstraints:
                ReadSequenceOnly(extension.Value);
                if (!extension.Critical)
                {
                    defects.Add(new(CertificateProblemKinds.NonConformingCertificate, "policyConstraints is not marked critical; it must be."));
                }

                break;
            case Oids.CertificatePolicies:
                ReadPolicies(extension.Value);
                break;
            default:
                // Recognised, not interpreted (policy mappings, inhibitAnyPolicy, issuerAltName, freshestCRL).
                break;
        }
    }

    private static void ReadAccessDescriptions(ReadOnlyMemory<byte> value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        int count = 0;
        while (sequence.HasData)
        {
            AsnReader description = sequence.ReadSequence();
            _ = description.ReadObjectIdentifier();
            _ = GeneralName.Read(description);
            description.ThrowIfNotEmpty();
            count++;
        }

        if (count == 0)
        {
            throw new AsnContentException("It holds no access description.");
        }
    }

    private static void ReadPolicies(ReadOnlyMemory<byte> value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        int count = 0;
        while (sequence.HasData)
        {
            AsnReader policy = sequence.ReadSequence();
            _ = policy.ReadObjectIdentifier();
            if (policy.HasData)
            {
                _ = policy.ReadSequence();
            }

            policy.ThrowIfNotEmpty();
            count++;
        }

        if (count == 0)
        {
            throw new AsnContentException("It holds no policy.");
        }
    }

    private static void ReadSequenceOnly(ReadOnlyMemory<byte> value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        _ = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
    }

    /// <summary>A readable name for an extension's identifier.</summary>
    public static string ExtensionName(string oid) => oid switch
    {
        Oids.SubjectKeyIdentifier => "subjectKeyIdentifier",
        Oids.KeyUsage => "keyUsage",
        Oids.SubjectAlternativeName => "subjectAltName",
        Oids.BasicConstraints => "basicConstraints",
        Oids.NameConstraints => "nameConstraints",
        Oids.CrlDistributionPoints => "cRLDistributionPoints",
        Oids.CertificatePolicies => "certificatePolicies",
        Oids.AuthorityKeyIdentifier => "authorityKeyIdentifier",
        Oids.PolicyConstraints => "policyConstraints",
        Oids.ExtendedKeyUsage => "extendedKeyUsage",
        Oids.AuthorityInformationAccess => "authorityInfoAccess",
        Oids.SubjectInformationAccess => "subjectInfoAccess",
        _ => oid,
    };

    /// <summary>Reads a Time (UTCTime or GeneralizedTime) as RFC 5280 4.1.2.5 defines it.</summary>
    internal static DateTimeOffset ReadTime(AsnReader reader)
    {
        Asn1Tag tag = reader.PeekTag();
        if (tag.HasSameClassAndValue(Asn1Tag.UtcTime))
        {
            return reader.ReadUtcTime(2049);
        }

        if (tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime))
        {
            DateTimeOffset time = reader.ReadGeneralizedTime();
            if (time.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                throw new AsnContentException("A GeneralizedTime has fractional seconds.");
            }

            return time;
        }

        throw new AsnContentException("A time is neither UTCTime nor GeneralizedTime.");
    }
}
