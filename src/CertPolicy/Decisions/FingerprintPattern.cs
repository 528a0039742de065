using System.Diagnostics.CodeAnalysis;

namespace CertPolicy;

/// <summary>What a <see cref="FingerprintPattern"/> is the SHA-256 of.</summary>
internal enum FingerprintSubject
{
    /// <summary>The certificate's DER: one exact certificate.</summary>
    Certificate,

    /// <summary>The certificate's SubjectPublicKeyInfo DER: every certificate carrying that key.</summary>
    PublicKey,
}

/// <summary>
/// One fingerprint a profile names (in its distrust list or its pre-approvals): either a certificate's SHA-256 in
/// hexadecimal (64 digits, ':' or ' ' allowed between them, the form of <see cref="CertificateFingerprint"/>) or a
/// public key's SHA-256 in the <c>sha256//BASE64</c> form curl and HPKP use for SubjectPublicKeyInfo pins.
/// Always written back as 64 upper-case hexadecimal digits (certificate) or <c>sha256//BASE64</c> (public key).
/// </summary>
internal readonly record struct FingerprintPattern(FingerprintSubject Subject, string Hex)
{
    /// <summary>The prefix of a public-key fingerprint.</summary>
    public const string PublicKeyPrefix = "sha256//";

    /// <summary>Reads either form, or says why the text is neither.</summary>
    public static bool TryParse(string? text, out FingerprintPattern pattern, [NotNullWhen(false)] out string? error)
    {
        pattern = default;
        string trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.StartsWith(PublicKeyPrefix, StringComparison.OrdinalIgnoreCase))
        {
            Span<byte> digest = stackalloc byte[32];
            if (!Convert.TryFromBase64String(trimmed[PublicKeyPrefix.Length..], digest, out int written) || written != digest.Length)
            {
                error = $"'{Shorten(trimmed)}' is not a public-key fingerprint: after 'sha256//' comes the Base64 of a 32-byte SHA-256.";
                return false;
            }

            pattern = new FingerprintPattern(FingerprintSubject.PublicKey, Convert.ToHexString(digest));
            error = null;
            return true;
        }

        try
        {
            pattern = new FingerprintPattern(FingerprintSubject.Certificate, CertificateFingerprint.Parse(trimmed).ToString());
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            error = $"{ex.Message} A public-key fingerprint is written 'sha256//' followed by the Base64 of its SHA-256.";
            return false;
        }
    }

    /// <summary>
    /// Reads every entry of a profile's list with <paramref name="read"/> (which returns the value and no error, or
    /// the reason the entry is malformed), throwing an <see cref="ArgumentException"/> naming the setting and the entry's position for the first
    /// malformed one.
    /// </summary>
    public static List<T> ReadEntries<T>(IEnumerable<string> entries, string settingName, Func<string, (T Value, string? Error)> read)
    {
        var values = new List<T>();
        int position = 0;
        foreach (string entry in entries)
        {
            position++;
            (T value, string? error) = read(entry);
            values.Add(error is null ? value : throw new ArgumentException($"Entry {position}: {error}", settingName));
        }

        return values;
    }

    /// <summary>True when <paramref name="certificate"/> is the certificate, or carries the key, this pattern names.</summary>
    public bool Matches(CertificateSummary certificate) => Subject switch
    {
        FingerprintSubject.Certificate => string.Equals(Hex, certificate.Sha256Fingerprint, StringComparison.OrdinalIgnoreCase),
        _ => certificate.PublicKeySha256 is { } key && string.Equals(Hex, key, StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>The public key's <c>sha256//BASE64</c> form of a hexadecimal SHA-256.</summary>
    public static string PublicKeyText(string hex) => PublicKeyPrefix + Convert.ToBase64String(Convert.FromHexString(hex));

    /// <inheritdoc/>
    public override string ToString() => Subject == FingerprintSubject.Certificate ? Hex : PublicKeyText(Hex);

    private static string Shorten(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "...");
}
