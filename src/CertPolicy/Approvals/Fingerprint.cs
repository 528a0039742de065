using System.Diagnostics.CodeAnalysis;

namespace CertPolicy;

/// <summary>SHA-256 fingerprints as text: 64 upper-case hexadecimal digits, without separators.</summary>
internal static class Fingerprint
{
    public const int Sha256HexLength = 64;

    /// <summary>Accepts upper or lower case, with or without ':' or ' ' separators.</summary>
    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (value is null)
        {
            return false;
        }

        if (value.Length == Sha256HexLength && IsUpperHex(value))
        {
            normalized = value;
            return true;
        }

        Span<char> digits = stackalloc char[Sha256HexLength];
        int count = 0;
        foreach (char c in value)
        {
            if (c is ':' or ' ')
            {
                continue;
            }

            if (!char.IsAsciiHexDigit(c) || count == Sha256HexLength)
            {
                return false;
            }

            digits[count++] = char.ToUpperInvariant(c);
        }

        if (count != Sha256HexLength)
        {
            return false;
        }

        normalized = new string(digits);
        return true;
    }

    public static string Normalize(string value, string parameterName) =>
        TryNormalize(value, out string? normalized)
            ? normalized
            : throw new ArgumentException("A SHA-256 fingerprint is 64 hexadecimal digits.", parameterName);

    /// <summary>Pairs of digits separated by ':', for people to compare.</summary>
    public static string Format(string fingerprint)
    {
        if (fingerprint.Length % 2 != 0)
        {
            return fingerprint;
        }

        return string.Join(':', Enumerable.Range(0, fingerprint.Length / 2).Select(i => fingerprint.Substring(i * 2, 2)));
    }

    private static bool IsUpperHex(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiHexDigitUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
