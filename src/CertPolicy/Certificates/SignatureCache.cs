using System.Collections.Concurrent;

namespace CertPolicy;

/// <summary>
/// Process-wide memo of the expensive, deterministic parts of signature checking, so that a server sending the same
/// chain on every connection pays for them once: imported public keys (by the SHA-256 of their SubjectPublicKeyInfo;
/// importing an EC key costs about as much as verifying with it), and signatures found valid (by the SHA-256 of the
/// signed certificate and of the key). A signature's validity depends on nothing else, so a remembered success is
/// always right; failures are never remembered. Both maps are bounded and simply emptied when full, so hostile input
/// can cost memory only up to the bound.
/// </summary>
internal static class SignatureCache
{
    private const int MaxKeys = 256;
    private const int MaxValidSignatures = 2048;

    private static readonly ConcurrentDictionary<string, SignatureVerifier> Keys = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<(string Certificate, string Key), bool> ValidSignatures = new();

    /// <summary>The shared verifier of a public key.</summary>
    public static SignatureVerifier VerifierFor(PublicKeyInfo key)
    {
        if (Keys.TryGetValue(key.Fingerprint, out SignatureVerifier? existing))
        {
            return existing;
        }

        if (Keys.Count >= MaxKeys)
        {
            Keys.Clear();
        }

        return Keys.GetOrAdd(key.Fingerprint, static (_, k) => new SignatureVerifier(k.Detach()), key);
    }

    /// <summary>True when the certificate's signature was already found valid with this key.</summary>
    public static bool IsKnownValid(ParsedCertificate certificate, PublicKeyInfo key) =>
        ValidSignatures.ContainsKey((certificate.Sha256Fingerprint, key.Fingerprint));

    /// <summary>Remembers that the certificate's signature is valid with this key.</summary>
    public static void RememberValid(ParsedCertificate certificate, PublicKeyInfo key)
    {
        if (ValidSignatures.Count >= MaxValidSignatures)
        {
            ValidSignatures.Clear();
        }

        ValidSignatures.TryAdd((certificate.Sha256Fingerprint, key.Fingerprint), true);
    }
}
