using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace CertPolicy;

/// <summary>
/// The SHA-256 of a certificate's DER encoding: how approvals name a certificate. Read from 64 hexadecimal digits in
/// upper or lower case, with or without ':' or ' ' between them; always written as 64 upper-case digits without
/// separators (<see cref="ToString"/>), the one form used in approvals files and in the <c>certpolicy</c> tool's output.
/// </summary>
/// <remarks>
/// The <see langword="default"/> value is the all-zero digest, which names no certificate; an approval refuses it.
/// Nothing here checks that a certificate with this fingerprint exists or is well formed.
/// </remarks>
public readonly struct CertificateFingerprint : IEquatable<CertificateFingerprint>
{
    internal const int HexLength = 64;

    private const int ByteLength = 32;
    private const string Expected = "a SHA-256 fingerprint is 64 hexadecimal digits, optionally separated by ':' or spaces";

    // The digest as four big-endian words: equality and hashing without allocation.
    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private CertificateFingerprint(ReadOnlySpan<byte> digest)
    {
        _w0 = BinaryPrimitives.ReadUInt64BigEndian(digest);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(digest[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(digest[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(digest[24..]);
    }

    /// <summary>True for the <see langword="default"/> value, which names no certificate.</summary>
    internal bool IsDefault => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>The fingerprint of a certificate: the SHA-256 of its DER encoding.</summary>
    /// <param name="certificateDer">The certificate's DER bytes. Not parsed: any bytes are hashed.</param>
    /// <returns>The fingerprint.</returns>
    public static CertificateFingerprint Compute(ReadOnlySpan<byte> certificateDer)
    {
        Span<byte> digest = stackalloc byte[ByteLength];
        SHA256.HashData(certificateDer, digest);
        return new CertificateFingerprint(digest);
    }

    /// <summary>Reads a fingerprint: 64 hexadecimal digits, upper or lower case, ':' or ' ' allowed between them.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The fingerprint.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a SHA-256 fingerprint; the message says why.</exception>
    public static CertificateFingerprint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryRead(text, out CertificateFingerprint fingerprint, out string? problem)
            ? fingerprint
            : throw new FormatException($"'{Shorten(text)}' is not a SHA-256 fingerprint: {problem} ({Expected}).");
    }

    /// <summary>Reads a fingerprint without throwing; see <see cref="Parse"/> for what is accepted.</summary>
    /// <param name="text">The text; null is not a fingerprint.</param>
    /// <param name="fingerprint">The fingerprint, or <see langword="default"/>.</param>
    /// <returns>True when the text is a fingerprint.</returns>
    public static bool TryParse([NotNullWhen(true)] string? text, out CertificateFingerprint fingerprint)
    {
        fingerprint = default;
        return text is not null && TryRead(text, out fingerprint, out _);
    }

    /// <summary>64 upper-case hexadecimal digits without separators: the one form written everywhere.</summary>
    /// <returns>The fingerprint as text.</returns>
    public override string ToString()
    {
        Span<byte> digest = stackalloc byte[ByteLength];
        BinaryPrimitives.WriteUInt64BigEndian(digest, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(digest[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(digest[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(digest[24..], _w3);
        return Convert.ToHexString(digest);
    }

    /// <inheritdoc/>
    public bool Equals(CertificateFingerprint other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CertificateFingerprint other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    /// <summary>True when both name the same certificate.</summary>
    /// <param name="left">A fingerprint.</param>
    /// <param name="right">Another fingerprint.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(CertificateFingerprint left, CertificateFingerprint right) => left.Equals(right);

    /// <summary>True when they name different certificates.</summary>
    /// <param name="left">A fingerprint.</param>
    /// <param name="right">Another fingerprint.</param>
    /// <returns>True when not equal.</returns>
    public static bool operator !=(CertificateFingerprint left, CertificateFingerprint right) => !left.Equals(right);

    private static bool TryRead(string text, out CertificateFingerprint fingerprint, [NotNullWhen(false)] out string? problem)
    {
        fingerprint = default;
        Span<byte> digest = stackalloc byte[ByteLength];
        int digits = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is ':' or ' ')
            {
                continue;
            }

            int value = HexValue(c);
            if (value < 0)
            {
                problem = $"the character at position {i + 1} is not a hexadecimal digit";
                return false;
            }

            if (digits < HexLength)
            {
                digest[digits / 2] = (byte)((digest[digits / 2] << 4) | value);
            }

            digits++;
        }

        if (digits != HexLength)
        {
            problem = $"it has {digits} hexadecimal digits";
            return false;
        }

        fingerprint = new CertificateFingerprint(digest);
        problem = null;
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static string Shorten(string text)
    {
        const int MaxShown = 100;
        string shown = text.Length <= MaxShown ? text : string.Concat(text.AsSpan(0, MaxShown), "...");
        return string.Create(shown.Length, shown, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
