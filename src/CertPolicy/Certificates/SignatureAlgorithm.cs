using System.Formats.Asn1;
using System.Security.Cryptography;

namespace CertPolicy;

/// <summary>How a signature is made: the family (which key kinds may verify it) and the hash.</summary>
internal enum SignatureFamily
{
    RsaPkcs1,
    RsaPss,
    Ecdsa,
    Ed25519,
    Ed448,
    MLDsa44,
    MLDsa65,
    MLDsa87,
}

/// <summary>A signature algorithm this library verifies: RSA PKCS#1 v1.5 and PSS, ECDSA (SHA-2 only), EdDSA and ML-DSA.</summary>
internal readonly record struct SignatureAlgorithm(SignatureFamily Family, HashAlgorithmName Hash)
{
    /// <summary>Resolves an AlgorithmIdentifier, or says why it is refused (unknown, SHA-1, bad PSS parameters, ...).</summary>
    public static bool TryResolve(AlgorithmIdentifier identifier, out SignatureAlgorithm algorithm, out string? reason)
    {
        algorithm = default;
        reason = null;
        switch (identifier.Oid)
        {
            case Oids.Sha256WithRsa:
                return RequireNullParameters(identifier, new(SignatureFamily.RsaPkcs1, HashAlgorithmName.SHA256), out algorithm, out reason);
            case Oids.Sha384WithRsa:
                return RequireNullParameters(identifier, new(SignatureFamily.RsaPkcs1, HashAlgorithmName.SHA384), out algorithm, out reason);
            case Oids.Sha512WithRsa:
                return RequireNullParameters(identifier, new(SignatureFamily.RsaPkcs1, HashAlgorithmName.SHA512), out algorithm, out reason);
            case Oids.EcdsaWithSha256:
                return RequireNoParameters(identifier, new(SignatureFamily.Ecdsa, HashAlgorithmName.SHA256), out algorithm, out reason);
            case Oids.EcdsaWithSha384:
                return RequireNoParameters(identifier, new(SignatureFamily.Ecdsa, HashAlgorithmName.SHA384), out algorithm, out reason);
            case Oids.EcdsaWithSha512:
                return RequireNoParameters(identifier, new(SignatureFamily.Ecdsa, HashAlgorithmName.SHA512), out algorithm, out reason);
            case Oids.Ed25519:
                return RequireNoParameters(identifier, new(SignatureFamily.Ed25519, default), out algorithm, out reason);
            case Oids.Ed448:
                return RequireNoParameters(identifier, new(SignatureFamily.Ed448, default), out algorithm, out reason);
            case Oids.MLDsa44:
                return RequireNoParameters(identifier, new(SignatureFamily.MLDsa44, default), out algorithm, out reason);
            case Oids.MLDsa65:
                return RequireNoParameters(identifier, new(SignatureFamily.MLDsa65, default), out algorithm, out reason);
            case Oids.MLDsa87:
                return RequireNoParameters(identifier, new(SignatureFamily.MLDsa87, default), out algorithm, out reason);
            case Oids.RsaPss:
                return TryResolvePss(identifier, out algorithm, out reason);
            case Oids.Sha1WithRsa:
            case "1.2.840.10045.4.1":
            case "1.2.840.10040.4.3":
                reason = "SHA-1 signatures are forbidden.";
                return false;
            default:
                reason = $"The signature algorithm {identifier.Oid} is not supported.";
                return false;
        }
    }

    /// <summary>True when a key of this kind can make signatures of this family.</summary>
    public bool IsCompatibleWith(PublicKeyKind key) => Family switch
    {
        SignatureFamily.RsaPkcs1 or SignatureFamily.RsaPss => key == PublicKeyKind.Rsa,
        SignatureFamily.Ecdsa => key is PublicKeyKind.EcP256 or PublicKeyKind.EcP384 or PublicKeyKind.EcP521,
        SignatureFamily.Ed25519 => key == PublicKeyKind.Ed25519,
        SignatureFamily.Ed448 => key == PublicKeyKind.Ed448,
        SignatureFamily.MLDsa44 => key == PublicKeyKind.MLDsa44,
        SignatureFamily.MLDsa65 => key == PublicKeyKind.MLDsa65,
        SignatureFamily.MLDsa87 => key == PublicKeyKind.MLDsa87,
        _ => false,
    };

    private static bool RequireNullParameters(AlgorithmIdentifier identifier, SignatureAlgorithm candidate, out SignatureAlgorithm algorithm, out string? reason)
    {
        algorithm = candidate;
        reason = identifier.HasNoOrNullParameters ? null : $"The signature algorithm {identifier.Oid} has unexpected parameters.";
        return reason is null;
    }

    private static bool RequireNoParameters(AlgorithmIdentifier identifier, SignatureAlgorithm candidate, out SignatureAlgorithm algorithm, out string? reason)
    {
        algorithm = candidate;
        reason = identifier.HasNoParameters ? null : $"The signature algorithm {identifier.Oid} must not have parameters.";
        return reason is null;
    }

    /// <summary>RSASSA-PSS: the hash and the MGF1 hash must be the same SHA-2 hash, the salt as long as the hash, the trailer 1.</summary>
    private static bool TryResolvePss(AlgorithmIdentifier identifier, out SignatureAlgorithm algorithm, out string? reason)
    {
        algorithm = default;
        reason = "The RSASSA-PSS parameters are missing or not allowed (SHA-256/384/512, MGF1 with the same hash, salt as long as the hash).";
        if (identifier.Parameters is not { } parameters)
        {
            return false;
        }

        try
        {
            var reader = new AsnReader(parameters, AsnEncodingRules.DER);
            AsnReader sequence = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            if (!sequence.HasData || !sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                return false;
            }

            AsnReader hashField = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            AlgorithmIdentifier hash = AlgorithmIdentifier.Read(hashField);
            hashField.ThrowIfNotEmpty();
            if (!sequence.HasData || !sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                return false;
            }

            AsnReader mgfField = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true));
            AlgorithmIdentifier mgf = AlgorithmIdentifier.Read(mgfField);
            mgfField.ThrowIfNotEmpty();
            if (!sequence.HasData || !sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                return false;
            }

            AsnReader saltField = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 2, true));
            if (!saltField.TryReadInt32(out int salt))
            {
                return false;
            }

            saltField.ThrowIfNotEmpty();
            if (sequence.HasData)
            {
                AsnReader trailerField = sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 3, true));
                if (!trailerField.TryReadInt32(out int trailer) || trailer != 1)
                {
                    return false;
                }

                trailerField.ThrowIfNotEmpty();
            }

            sequence.ThrowIfNotEmpty();
            (HashAlgorithmName name, int length) = hash.Oid switch
            {
                Oids.Sha256 => (HashAlgorithmName.SHA256, 32),
                Oids.Sha384 => (HashAlgorithmName.SHA384, 48),
                Oids.Sha512 => (HashAlgorithmName.SHA512, 64),
                _ => (default, 0),
            };
            if (length == 0 || !hash.HasNoOrNullParameters || mgf.Oid != Oids.Mgf1 || mgf.Parameters is not { } mgfParameters)
            {
                return false;
            }

            var mgfReader = new AsnReader(mgfParameters, AsnEncodingRules.DER);
            AlgorithmIdentifier mgfHash = AlgorithmIdentifier.Read(mgfReader);
            mgfReader.ThrowIfNotEmpty();
            if (mgfHash.Oid != hash.Oid || !mgfHash.HasNoOrNullParameters || salt != length)
            {
                return false;
            }

            algorithm = new SignatureAlgorithm(SignatureFamily.RsaPss, name);
            reason = null;
            return true;
        }
        catch (AsnContentException)
        {
            return false;
        }
    }
}
