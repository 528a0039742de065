using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertPolicy.Cli.Certificates;

/// <summary>
/// Reads a PEM file holding a server's chain as it would send it: the leaf first, then its intermediates. Every
/// <c>CERTIFICATE</c> block must hold a well-formed certificate; blocks with other labels (a private key kept beside
/// the chain, say) are skipped and their contents never read. Anything else is an error naming the block and its line.
/// </summary>
internal static class PemChainFile
{
    /// <summary>Larger files are refused: no chain is anywhere near this big.</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    private const string BeginMarker = "-----BEGIN ";
    private const string EndMarker = "-----END ";

    /// <summary>Reads the file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The DER of each certificate, in file order (leaf first), and how many other blocks were skipped.</returns>
    /// <exception cref="CliException">The file cannot be read, is not PEM, or holds a malformed or no certificate.</exception>
    public static PemChain Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new CliException(Directory.Exists(path) ? $"'{path}' is a folder, not a PEM file." : $"cannot read '{path}': the file does not exist.") { Code = "file-not-found" };
            }

            if (info.Length > MaxFileBytes)
            {
                throw new CliException($"cannot read '{path}': the file is larger than {MaxFileBytes / (1024 * 1024)} MiB, too large for a certificate chain.");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"cannot read '{path}': {ex.Message.ReplaceLineEndings(" ").Trim()}", ex);
        }

        return Parse(bytes, path);
    }

    /// <summary>Parses the bytes of a PEM file; <paramref name="name"/> names it in error messages.</summary>
    /// <exception cref="CliException">The bytes are not PEM, or hold a malformed or no certificate.</exception>
    public static PemChain Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length > 0 && bytes[0] == 0x30)
        {
            throw new CliException($"'{name}' is binary (DER), not PEM; convert it with: openssl x509 -inform der -in {name} -out chain.pem");
        }

        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new CliException($"'{name}' is not a PEM file: it is not text.");
        }

        var certificates = new List<ReadOnlyMemory<byte>>();
        int skipped = 0;
        int block = 0;
        int offset = 0;
        while (true)
        {
            int begin = text.IndexOf(BeginMarker, offset, StringComparison.Ordinal);
            CheckNoStrayEnd(text, offset, begin < 0 ? text.Length : begin, name);
            if (begin < 0)
            {
                break;
            }

            int line = LineOf(text, begin);
            if (!PemEncoding.TryFind(text.AsSpan(begin), out PemFields fields) || fields.Location.Start.Value != 0)
            {
                throw new CliException($"'{name}': the PEM block {block + 1} starting on line {line} is malformed (bad base64, or its END line is missing or does not match).");
            }

            string label = text.Substring(begin + fields.Label.Start.Value, fields.Label.End.Value - fields.Label.Start.Value);
            if (label is "CERTIFICATE" or "X509 CERTIFICATE" or "X.509 CERTIFICATE")
            {
                byte[] der = Convert.FromBase64String(text.Substring(begin + fields.Base64Data.Start.Value, fields.Base64Data.End.Value - fields.Base64Data.Start.Value));
                CheckWellFormed(der, name, certificates.Count, line);
                certificates.Add(der);
            }
            else if (label == "TRUSTED CERTIFICATE")
            {
                throw new CliException($"'{name}': block {block + 1} on line {line} is an OpenSSL TRUSTED CERTIFICATE; write the chain as plain CERTIFICATE blocks.");
            }
            else
            {
                skipped++;
            }

            block++;
            offset = begin + fields.Location.End.Value;
        }

        if (certificates.Count == 0)
        {
            throw new CliException(block == 0
                ? $"'{name}' holds no PEM block: expected the server's certificate, then its intermediates, as -----BEGIN CERTIFICATE----- blocks."
                : $"'{name}' holds no certificate, only {block} other PEM block(s).");
        }

        return new PemChain(certificates, skipped);
    }

    private static void CheckWellFormed(byte[] der, string name, int index, int line)
    {
        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException ex)
        {
            string which = index == 0 ? "the leaf (certificate 0)" : $"certificate {index}";
            throw new CliException($"'{name}': {which} on line {line} is not a well-formed X.509 certificate: {ex.Message.ReplaceLineEndings(" ").Trim()}", ex);
        }
    }

    private static void CheckNoStrayEnd(string text, int start, int end, string name)
    {
        int stray = text.IndexOf(EndMarker, start, end - start, StringComparison.Ordinal);
        if (stray >= 0)
        {
            throw new CliException($"'{name}': line {LineOf(text, stray)} ends a PEM block that never began.");
        }
    }

    private static int LineOf(string text, int index)
    {
        int line = 1;
        for (int i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }
}

/// <summary>The certificates of a PEM chain file, leaf first, and how many non-certificate blocks it also held.</summary>
/// <param name="Certificates">The DER of each certificate, in file order.</param>
/// <param name="SkippedBlocks">Blocks with other labels (keys, CRLs), skipped unread.</param>
internal sealed record PemChain(IReadOnlyList<ReadOnlyMemory<byte>> Certificates, int SkippedBlocks);
