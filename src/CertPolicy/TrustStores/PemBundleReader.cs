using System.Security;
using System.Security.Cryptography;
using System.Text;

namespace CertPolicy;

/// <summary>
/// Reads the certificates of a PEM bundle file, all or nothing: any malformed entry fails the whole file with a
/// <see cref="TrustStoreException"/> naming the file, the entry's index and its line.
/// </summary>
internal static class PemBundleReader
{
    /// <summary>The largest file read; real bundles are well under 1 MiB.</summary>
    internal const int MaxFileBytes = 16 * 1024 * 1024;

    private const string TrustedCertificateLabel = "TRUSTED CERTIFICATE";

    /// <summary>Reads a file's certificates. At least one is returned.</summary>
    /// <param name="fullPath">The file's full path, as the errors name it.</param>
    /// <returns>The DER of each certificate, in file order; the buffers are the caller's.</returns>
    /// <exception cref="TrustStoreException">The file cannot be read, holds no certificate, or holds a malformed entry.</exception>
    public static List<byte[]> ReadFile(string fullPath)
    {
        byte[] content = ReadBytes(fullPath);
        List<byte[]> certificates = Parse(Decode(content), fullPath);
        if (certificates.Count == 0)
        {
            string hint = content.Length > 0 && content[0] == 0x30 && CertificateDerShape.FindProblem(content) is null
                ? " It is a binary DER certificate; convert it to PEM first (for example: openssl x509 -inform der -in FILE -out FILE.pem)."
                : string.Empty;
            throw new TrustStoreException($"Trust store file '{fullPath}' holds no PEM certificate (a block labelled CERTIFICATE).{hint}", fullPath, -1);
        }

        return certificates;
    }

    /// <summary>The certificates of PEM text. Non-certificate blocks are skipped; stray or broken blocks are errors.</summary>
    internal static List<byte[]> Parse(string text, string fullPath)
    {
        var certificates = new List<byte[]>();
        int position = 0;
        int entry = 0;
        while (true)
        {
            ReadOnlySpan<char> rest = text.AsSpan(position);
            bool found = PemEncoding.TryFind(rest, out PemFields fields);
            (int blockStart, int blockLength) = found ? fields.Location.GetOffsetAndLength(rest.Length) : (rest.Length, 0);

            // PemEncoding skips what it cannot read, so a broken block shows up as a boundary line in the text it skipped.
            int stray = IndexOfBoundary(rest[..blockStart]);
            if (stray >= 0)
            {
                throw EntryError(fullPath, text, entry, position + stray, "is not a well-formed PEM block (check its BEGIN and END lines and the base64 between them)");
            }

            if (!found)
            {
                return certificates;
            }

            int absoluteStart = position + blockStart;
            ReadOnlySpan<char> label = rest[fields.Label];
            if (IsCertificateLabel(label))
            {
                byte[] der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out int written) || written != der.Length)
                {
                    throw EntryError(fullPath, text, entry, absoluteStart, "has malformed base64");
                }

                if (CertificateDerShape.FindProblem(der) is { } problem)
                {
                    throw EntryError(fullPath, text, entry, absoluteStart, $"is not a well-formed X.509 certificate: {problem}");
                }

                certificates.Add(der);
            }
            else if (label.SequenceEqual(TrustedCertificateLabel))
            {
                throw EntryError(
                    fullPath,
                    text,
                    entry,
                    absoluteStart,
                    "is an OpenSSL TRUSTED CERTIFICATE, whose trust settings CertPolicy does not apply; to trust the certificate, write it as a plain CERTIFICATE (for example: openssl x509 -in FILE -out NEW.pem)");
            }

            entry++;
            position = absoluteStart + blockLength;
        }
    }

    /// <summary>RFC 7468 section 5.1 label, and the two legacy ones it says parsers may accept.</summary>
    private static bool IsCertificateLabel(ReadOnlySpan<char> label) =>
        label.SequenceEqual("CERTIFICATE") || label.SequenceEqual("X509 CERTIFICATE") || label.SequenceEqual("X.509 CERTIFICATE");

    private static int IndexOfBoundary(ReadOnlySpan<char> text)
    {
        int begin = text.IndexOf("-----BEGIN", StringComparison.Ordinal);
        int end = text.IndexOf("-----END", StringComparison.Ordinal);
        return begin < 0 ? end : end < 0 ? begin : Math.Min(begin, end);
    }

    private static TrustStoreException EntryError(string fullPath, string text, int entry, int offset, string problem)
    {
        int line = text.AsSpan(0, offset).Count('\n') + 1;
        return new TrustStoreException($"Trust store file '{fullPath}': the entry at index {entry} (line {line}) {problem}.", fullPath, entry);
    }

    private static byte[] ReadBytes(string fullPath)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            if (stream.CanSeek && stream.Length > MaxFileBytes)
            {
                throw TooLarge(fullPath);
            }

            using var content = new MemoryStream();
            byte[] chunk = new byte[64 * 1024];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                if (content.Length + read > MaxFileBytes)
                {
                    throw TooLarge(fullPath);
                }

                content.Write(chunk, 0, read);
            }

            return content.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or SecurityException)
        {
            throw new TrustStoreException($"Trust store file '{fullPath}' cannot be read: {e.Message}", fullPath, -1, e);
        }
    }

    private static TrustStoreException TooLarge(string fullPath) =>
        new($"Trust store file '{fullPath}' is larger than {MaxFileBytes / (1024 * 1024)} MiB; it is not a certificate bundle.", fullPath, -1);

    /// <summary>UTF-8 unless a byte order mark says otherwise; PEM itself is ASCII, only comments may not be.</summary>
    private static string Decode(byte[] content)
    {
        using var reader = new StreamReader(new MemoryStream(content, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
