using System.Formats.Asn1;

namespace CertPolicy;

/// <summary>The kinds of public key the validator can reason about.</summary>
internal enum PublicKeyKind
{
    Unknown,
    Rsa,
    EcP256,
    EcP384,
    EcP521,
    Ed25519,
    Ed448,
    MLDsa44,
    MLDsa65,
    MLDsa87,
}

/// <summary>
/// A SubjectPublicKeyInfo, classified: which kind of key it is, how strong, and why it may not be used (RSA below
/// 2048 bits or not a multiple of 8, DSA, curves other than P-256/P-384/P-521, explicit curve parameters, ...).
/// </summary>
internal sealed class PublicKeyInfo
{
    private string? _fingerprint;

    private PublicKeyInfo(ReadOnlyMemory<byte> encoded, AlgorithmIdentifier algorithm, ReadOnlyMemory<byte> keyBytes, PublicKeyKind kind, int sizeInBits, string? forbiddenReason)
    {
        Encoded = encoded;
        Algorithm = algorithm;
        KeyBytes = keyBytes;
        Kind = kind;
        SizeInBits = sizeInBits;
        ForbiddenReason = forbiddenReason;
    }

    /// <summary>The DER of the SubjectPublicKeyInfo.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>The SHA-256 of <see cref="Encoded"/>, as hexadecimal: the key's identity in caches.</summary>
    public string Fingerprint => _fingerprint ??= Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoded.Span));

    public AlgorithmIdentifier Algorithm { get; }

    /// <summary>The contents of the subjectPublicKey BIT STRING.</summary>
    public ReadOnlyMemory<byte> KeyBytes { get; }

    public PublicKeyKind Kind { get; }

    /// <summary>The RSA modulus length or the curve size, in bits; 0 when unknown.</summary>
    public int SizeInBits { get; }

    /// <summary>Why the key may not be used, or null when it may.</summary>
    public string? ForbiddenReason { get; }

    /// <summary>True for keys that can only sign (EdDSA, ML-DSA): key usages for encryption or key agreement make no sense for them.</summary>
    public bool IsSignatureOnly => Kind is PublicKeyKind.Ed25519 or PublicKeyKind.Ed448 or PublicKeyKind.MLDsa44 or PublicKeyKind.MLDsa65 or PublicKeyKind.MLDsa87;

    /// <summary>A short description such as "RSA 2048" or "ECDSA P-256".</summary>
    public string Description => Kind switch
    {
        PublicKeyKind.Rsa => $"RSA {SizeInBits}",
        PublicKeyKind.EcP256 => "ECDSA P-256",
        PublicKeyKind.EcP384 => "ECDSA P-384",
        PublicKeyKind.EcP521 => "ECDSA P-521",
        PublicKeyKind.Ed25519 => "Ed25519",
        PublicKeyKind.Ed448 => "Ed448",
        PublicKeyKind.MLDsa44 => "ML-DSA-44",
        PublicKeyKind.MLDsa65 => "ML-DSA-65",
        PublicKeyKind.MLDsa87 => "ML-DSA-87",
        _ => Algorithm.Oid,
    };

    /// <summary>A copy that owns its bytes, for keeping beyond the validation that parsed the original (caches).</summary>
    public PublicKeyInfo Detach()
    {
        byte[] encoded = Encoded.ToArray();
        var reader = new AsnReader(encoded, AsnEncodingRules.DER);
        PublicKeyInfo copy = Read(reader);
        copy._fingerprint = _fingerprint;
        return copy;
    }

    public static PublicKeyInfo Read(AsnReader reader)
    {
        ReadOnlyMemory<byte> encoded = reader.PeekEncodedValue();
        AsnReader sequence = reader.ReadSequence();
        AlgorithmIdentifier algorithm = AlgorithmIdentifier.Read(sequence);
        ReadOnlyMemory<byte> keyBytes = sequence.ReadBitString(out int unusedBits);
        sequence.ThrowIfNotEmpty();
        if (unusedBits != 0)
        {
            return new PublicKeyInfo(encoded, algorithm, keyBytes, PublicKeyKind.Unknown, 0, "The public key is not a whole number of bytes.");
        }

        (PublicKeyKind kind, int size, string? reason) = Classify(algorithm, keyBytes);
        return new PublicKeyInfo(encoded, algorithm, keyBytes, kind, size, reason);
    }

    private static (PublicKeyKind Kind, int Size, string? Reason) Classify(AlgorithmIdentifier algorithm, ReadOnlyMemory<byte> keyBytes)
    {
        switch (algorithm.Oid)
        {
            case Oids.RsaEncryption:
                return ClassifyRsa(algorithm, keyBytes);
            case Oids.EcPublicKey:
                return ClassifyEc(algorithm, keyBytes);
            case Oids.Ed25519:
                return algorithm.HasNoParameters && keyBytes.Length == 32
                    ? (PublicKeyKind.Ed25519, 256, null)
                    : (PublicKeyKind.Unknown, 0, "The Ed25519 public key is malformed.");
            case Oids.Ed448:
                return algorithm.HasNoParameters && keyBytes.Length == 57
                    ? (PublicKeyKind.Ed448, 456, null)
                    : (PublicKeyKind.Unknown, 0, "The Ed448 public key is malformed.");
            case Oids.MLDsa44:
                return ClassifyMLDsa(algorithm, keyBytes, PublicKeyKind.MLDsa44, 1312);
            case Oids.MLDsa65:
                return ClassifyMLDsa(algorithm, keyBytes, PublicKeyKind.MLDsa65, 1952);
            case Oids.MLDsa87:
                return ClassifyMLDsa(algorithm, keyBytes, PublicKeyKind.MLDsa87, 2592);
            case Oids.Dsa:
                return (PublicKeyKind.Unknown, 0, "DSA keys are forbidden.");
            case Oids.RsaPss:
                return (PublicKeyKind.Unknown, 0, "RSASSA-PSS-only public keys (id-RSASSA-PSS) are not supported; use rsaEncryption.");
            default:
                return (PublicKeyKind.Unknown, 0, $"The public key algorithm {algorithm.Oid} is not supported.");
        }
    }

    private static (PublicKeyKind, int, string?) ClassifyMLDsa(AlgorithmIdentifier algorithm, ReadOnlyMemory<byte> keyBytes, PublicKeyKind kind, int length) =>
        algorithm.HasNoParameters && keyBytes.Length == length
            ? (kind, length * 8, null)
            : (PublicKeyKind.Unknown, 0, "The ML-DSA public key is malformed.");

    private static (PublicKeyKind, int, string?) ClassifyRsa(AlgorithmIdentifier algorithm, ReadOnlyMemory<byte> keyBytes)
    {
        if (!algorithm.HasNoOrNullParameters)
        {
            return (PublicKeyKind.Unknown, 0, "The RSA public key has unexpected algorithm parameters.");
        }

        int bits;
        try
        {
            var reader = new AsnReader(keyBytes, AsnEncodingRules.DER);
            AsnReader key = reader.ReadSequence();
            ReadOnlySpan<byte> modulus = key.ReadIntegerBytes().Span;
            ReadOnlySpan<byte> exponent = key.ReadIntegerBytes().Span;
            key.ThrowIfNotEmpty();
            reader.ThrowIfNotEmpty();
            if ((modulus[0] & 0x80) != 0 || (exponent[0] & 0x80) != 0 || (modulus.Length == 1 && modulus[0] == 0))
            {
                return (PublicKeyKind.Unknown, 0, "The RSA public key has a negative or zero modulus or exponent.");
            }

            if (modulus[0] == 0)
            {
                modulus = modulus[1..];
            }

            bits = ((modulus.Length - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[0]));
        }
        catch (AsnContentException)
        {
            return (PublicKeyKind.Unknown, 0, "The RSA public key is malformed.");
        }

        if (bits < 2048)
        {
            return (PublicKeyKind.Rsa, bits, $"The RSA key has {bits} bits; at least 2048 are required.");
        }

        if (bits % 8 != 0)
        {
            return (PublicKeyKind.Rsa, bits, $"The RSA key has {bits} bits, which is not a multiple of 8.");
        }

        return (PublicKeyKind.Rsa, bits, null);
    }

    private static (PublicKeyKind, int, string?) ClassifyEc(AlgorithmIdentifier algorithm, ReadOnlyMemory<byte> keyBytes)
    {
        if (algorithm.Parameters is not { } parameters)
        {
            return (PublicKeyKind.Unknown, 0, "The EC public key names no curve.");
        }

        string curve;
        try
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.DER);
            Asn1Tag tag = reader.PeekTag();
            if (!tag.HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
            {
                return (PublicKeyKind.Unknown, 0, "The EC public key uses explicit curve parameters, which are forbidden; a named curve is required.");
            }

            curve = reader.ReadObjectIdentifier();
            reader.ThrowIfNotEmpty();
        }
        catch (AsnContentException)
        {
            return (PublicKeyKind.Unknown, 0, "The EC public key's curve is malformed.");
        }

        (PublicKeyKind kind, int size) = curve switch
        {
            Oids.Secp256r1 => (PublicKeyKind.EcP256, 256),
            Oids.Secp384r1 => (PublicKeyKind.EcP384, 384),
            Oids.Secp521r1 => (PublicKeyKind.EcP521, 521),
            _ => (PublicKeyKind.Unknown, 0),
        };
        if (kind == PublicKeyKind.Unknown)
        {
            return curve == Oids.Secp192r1
                ? (PublicKeyKind.Unknown, 192, "P-192 keys are forbidden; P-256, P-384 or P-521 is required.")
                : (PublicKeyKind.Unknown, 0, $"The elliptic curve {curve} is not allowed; P-256, P-384 or P-521 is required.");
        }

        int coordinate = (size + 7) / 8;
        ReadOnlySpan<byte> point = keyBytes.Span;
        if (point.Length != 1 + (2 * coordinate) || point[0] != 0x04)
        {
            return (kind, size, "The EC public key is not an uncompressed point on its curve.");
        }

        return (kind, size, null);
    }
}
