using System.Buffers;
using System.Security;

namespace CertPolicy;

/// <summary>
/// Reads the certificate files of one directory, all or nothing: each file as <see cref="PemBundleReader"/> does,
/// in ordinal file-name order. Files reached through several links (OpenSSL's hash links) are read once.
/// </summary>
internal static class PemDirectoryReader
{
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The certificates of every certificate file in the directory. At least one is returned.</summary>
    /// <param name="fullPath">The directory's full path, as the errors name it.</param>
    /// <exception cref="TrustStoreException">The directory cannot be listed, holds no certificate file, or a file fails to load.</exception>
    public static List<byte[]> Read(string fullPath)
    {
        List<string> files = ListCertificateFiles(fullPath);
        if (files.Count == 0)
        {
            throw new TrustStoreException(
                $"Trust store directory '{fullPath}' holds no certificate file (*.pem, *.crt, *.cer or an OpenSSL hash link such as 1a2b3c4d.0).",
                fullPath,
                -1);
        }

        var certificates = new List<byte[]>();
        var readTargets = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            if (readTargets.Add(FinalTarget(file)))
            {
                certificates.AddRange(PemBundleReader.ReadFile(file));
            }
        }

        return certificates;
    }

    /// <summary>
    /// Whether the directory reader takes the file: a .pem, .crt or .cer extension (any case), or an OpenSSL
    /// certificate hash name (eight hex digits, a dot, a decimal sequence number).
    /// </summary>
    internal static bool IsCertificateFileName(ReadOnlySpan<char> name)
    {
        ReadOnlySpan<char> extension = Path.GetExtension(name);
        if (extension.Equals(".pem", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".crt", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".cer", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return name.Length > 9
            && name[8] == '.'
            && !name[..8].ContainsAnyExcept(HexDigits)
            && !name[9..].ContainsAnyExceptInRange('0', '9');
    }

    private static List<string> ListCertificateFiles(string fullPath)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = false,
            IgnoreInaccessible = false,
            MatchType = MatchType.Simple,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };

        try
        {
            List<string> files = [.. Directory.EnumerateFiles(fullPath, "*", options).Where(f => IsCertificateFileName(Path.GetFileName(f.AsSpan())))];
            files.Sort(StringComparer.Ordinal);
            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            throw new TrustStoreException($"Trust store directory '{fullPath}' cannot be read: {e.Message}", fullPath, -1, e);
        }
    }

    /// <summary>The file a chain of links ends at, or the path itself; a broken link is left for the reader to report.</summary>
    private static string FinalTarget(string file)
    {
        try
        {
            return File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName ?? file;
        }
        catch (IOException)
        {
            return file;
        }
    }
}
