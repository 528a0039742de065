using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace CertPolicy;

/// <summary>The outcome of checking one signature.</summary>
internal enum SignatureCheck
{
    /// <summary>The signature verifies.</summary>
    Valid,

    /// <summary>The signature does not verify with this key (or cannot have been made with it).</summary>
    Invalid,

    /// <summary>The key cannot be used: forbidden, unsupported or malformed.</summary>
    UnusableKey,
}

/// <summary>
/// Verifies signatures with one certificate's public key. The key is imported once, on first use, and kept: RSA and
/// ECDSA with the platform's implementation; Ed25519, Ed448 and ML-DSA, which the platform lacks here, with
/// BouncyCastle. Verification is serialised per key, so one instance may serve several threads: verifiers are shared
/// through <see cref="SignatureCache"/>. The platform keys are never disposed explicitly; their handles are released
/// when the verifier is collected.
/// </summary>
internal sealed class SignatureVerifier
{
    private readonly PublicKeyInfo _key;
    private readonly Lock _gate = new();
    private object? _imported;
    private string? _importError;

    public SignatureVerifier(PublicKeyInfo key)
    {
        _key = key;
    }

    /// <summary>Checks a signature over <paramref name="data"/>.</summary>
    /// <param name="data">The signed bytes.</param>
    /// <param name="signature">The signature value.</param>
    /// <param name="algorithm">The algorithm the signer claims.</param>
    /// <param name="reason">Why the check did not succeed, for the report.</param>
    public SignatureCheck Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, SignatureAlgorithm algorithm, out string? reason)
    {
        if (_key.ForbiddenReason is { } forbidden)
        {
            reason = forbidden;
            return SignatureCheck.UnusableKey;
        }

        if (!algorithm.IsCompatibleWith(_key.Kind))
        {
            reason = $"A {algorithm.Family} signature cannot be made with a {_key.Description} key.";
            return SignatureCheck.Invalid;
        }

        lock (_gate)
        {
            if (_imported is null && _importError is null)
            {
                Import();
            }

            if (_imported is null)
            {
                reason = _importError;
                return SignatureCheck.UnusableKey;
            }

            bool valid;
            try
            {
                valid = _imported switch
                {
                    RSA rsa => rsa.VerifyData(data, signature, algorithm.Hash, algorithm.Family == SignatureFamily.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
                    ECDsa ecdsa => ecdsa.VerifyData(data, signature, algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence),
                    ICipherParameters parameters => VerifyWithBouncyCastle(parameters, data, signature),
                    _ => false,
                };
            }
            catch (CryptographicException)
            {
                valid = false;
            }

            reason = valid ? null : "The signature does not verify with the issuer's public key.";
            return valid ? SignatureCheck.Valid : SignatureCheck.Invalid;
        }
    }

    private static bool VerifyWithBouncyCastle(ICipherParameters parameters, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ISigner signer = parameters switch
        {
            Ed25519PublicKeyParameters => new Ed25519Signer(),
            Ed448PublicKeyParameters => new Ed448Signer([]),
            MLDsaPublicKeyParameters ml => new MLDsaSigner(ml.Parameters, deterministic: false),
            _ => throw new CryptographicException("Unsupported key."),
        };
        signer.Init(false, parameters);
        signer.BlockUpdate(data);
        return signer.VerifySignature(signature.ToArray());
    }

    private AsymmetricAlgorithm ImportPlatformKey(AsymmetricAlgorithm key)
    {
        try
        {
            key.ImportSubjectPublicKeyInfo(_key.Encoded.Span, out _);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private void Import()
    {
        try
        {
            switch (_key.Kind)
            {
                case PublicKeyKind.Rsa:
                    _imported = ImportPlatformKey(RSA.Create());
                    break;
                case PublicKeyKind.EcP256:
                case PublicKeyKind.EcP384:
                case PublicKeyKind.EcP521:
                    _imported = ImportPlatformKey(ECDsa.Create());
                    break;
                case PublicKeyKind.Ed25519:
                    _imported = new Ed25519PublicKeyParameters(_key.KeyBytes.Span);
                    break;
                case PublicKeyKind.Ed448:
                    _imported = new Ed448PublicKeyParameters(_key.KeyBytes.Span);
                    break;
                case PublicKeyKind.MLDsa44:
                    _imported = MLDsaPublicKeyParameters.FromEncoding(MLDsaParameters.ml_dsa_44, _key.KeyBytes.ToArray());
                    break;
                case PublicKeyKind.MLDsa65:
                    _imported = MLDsaPublicKeyParameters.FromEncoding(MLDsaParameters.ml_dsa_65, _key.KeyBytes.ToArray());
                    break;
                case PublicKeyKind.MLDsa87:
                    _imported = MLDsaPublicKeyParameters.FromEncoding(MLDsaParameters.ml_dsa_87, _key.KeyBytes.ToArray());
                    break;
                default:
                    _importError = $"The {_key.Description} public key is not supported.";
                    break;
            }
        }
        catch (CryptographicException e)
        {
            _importError = "The public key cannot be imported: " + e.Message;
        }
        catch (ArgumentException e)
        {
            _importError = "The public key cannot be imported: " + e.Message;
        }
    }
}
