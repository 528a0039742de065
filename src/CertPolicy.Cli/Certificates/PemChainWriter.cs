using System.Security.Cryptography;
using System.Text;

namespace CertPolicy.Cli.Certificates;

/// <summary>Writes certificates as a PEM chain file (check --save-chain), in the order the server sent them.</summary>
internal static class PemChainWriter
{
    /// <summary>Writes the file; an existing file is overwritten in place (its owner and mode stay).</summary>
    /// <exception cref="CliException">The folder does not exist, the path is a folder, or the file cannot be written.</exception>
    public static string Write(string path, IReadOnlyList<ReadOnlyMemory<byte>> certificates)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(certificates);
        string full;
        try
        {
            full = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CliException($"--save-chain '{path}' is not a valid path: {ex.Message}", ex) { Code = "bad-arguments" };
        }

        if (Directory.Exists(full))
        {
            throw new CliException($"--save-chain '{path}' is a folder; name a file.") { Code = "bad-arguments" };
        }

        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new CliException($"--save-chain: the folder '{folder}' does not exist.") { Code = "bad-arguments" };
        }

        var text = new StringBuilder();
        foreach (ReadOnlyMemory<byte> der in certificates)
        {
            text.Append(PemEncoding.Write("CERTIFICATE", der.Span)).Append('\n');
        }

        try
        {
            File.WriteAllText(full, text.ToString());
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new CliException($"--save-chain: permission denied writing '{full}'.", ex) { Code = "permission-denied" };
        }
        catch (IOException ex)
        {
            throw new CliException($"--save-chain: cannot write '{full}': {ex.Message}", ex) { Code = "write-failed" };
        }

        return full;
    }
}
