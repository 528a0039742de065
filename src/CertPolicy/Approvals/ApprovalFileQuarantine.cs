using System.Globalization;

namespace CertPolicy;

/// <summary>
/// Moves a damaged approvals file aside to <c>&lt;name&gt;.corrupt-&lt;UTC time&gt;[-n]</c>, never over an existing
/// file, keeping its bytes. Only for damage: a file that could not be read for lack of permission is never moved.
/// </summary>
internal static class ApprovalFileQuarantine
{
    private const int MaxAttempts = 100;

    /// <summary>Renames the file to a name no file has yet. Call only under the writers' lock.</summary>
    /// <returns>The new name.</returns>
    /// <exception cref="ApprovalStoreException">The file could not be moved; it is where it was.</exception>
    public static string MoveAside(string filePath, string problem, DateTimeOffset now, Exception? error)
    {
        string stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            string aside = attempt == 0
                ? $"{filePath}.corrupt-{stamp}"
                : string.Create(CultureInfo.InvariantCulture, $"{filePath}.corrupt-{stamp}-{attempt}");
            if (File.Exists(aside) || Directory.Exists(aside))
            {
                continue;
            }

            try
            {
                File.Move(filePath, aside, overwrite: false);
                return aside;
            }
            catch (IOException) when (File.Exists(aside))
            {
                // Another name was taken in the meantime: try the next.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new ApprovalStoreException($"The approvals file '{filePath}' is damaged ({problem}) and could not be moved aside.", filePath, ex);
            }
        }

        throw new ApprovalStoreException($"The approvals file '{filePath}' is damaged ({problem}) and no free name was found to move it aside.", filePath, error);
    }
}
