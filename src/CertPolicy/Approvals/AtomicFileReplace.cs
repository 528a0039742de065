namespace CertPolicy;

/// <summary>
/// Replaces a file's content all at once: writes a temporary file beside it, flushes it to disk and renames it over
/// the file, so a reader sees the old file or the new one, never a mix. The new file keeps the owner, group and mode
/// of the file it replaces (owner and group on Linux); a new file is readable by its owner alone (0600).
/// </summary>
internal static class AtomicFileReplace
{
    /// <summary>Writes <paramref name="bytes"/> as the file's new content. Call only under the writers' lock.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="bytes">The new content.</param>
    /// <param name="previous">The stamp of the version being replaced: the new one is made to differ from it.</param>
    /// <returns>The new file's stamp.</returns>
    /// <exception cref="ApprovalStoreException">Nothing was changed: the file could not be written, or its owner could not be kept.</exception>
    public static FileStamp Write(string filePath, ReadOnlySpan<byte> bytes, FileStamp previous)
    {
        string tempPath = filePath + ".tmp";
        FileStamp written;
        try
        {
            if (File.Exists(tempPath))
            {
                // Left by a writer that died before renaming: no writer can be using it, since we hold the lock.
                File.Delete(tempPath);
            }

            using (var stream = new FileStream(tempPath, UnixFiles.PrivateFileOptions(FileMode.CreateNew, FileAccess.Write)))
            {
                if (File.Exists(filePath))
                {
                    UnixFiles.CopyOwnershipAndMode(filePath, tempPath);
                }

                stream.Write(bytes);
                stream.Flush(flushToDisk: true);

                // Stamped after the flush with the full-precision clock, so the stamp is as late and as fine as it can
                // be; and never equal to the version just replaced (readers also compare bytes, see ApprovalSnapshot).
                DateTime lastWrite = DateTime.UtcNow;
                if (previous.Exists && previous.Length == bytes.Length && lastWrite <= previous.LastWriteUtc)
                {
                    lastWrite = previous.LastWriteUtc.AddTicks(10);
                }

                File.SetLastWriteTimeUtc(stream.SafeFileHandle, lastWrite);
                written = new FileStamp(true, bytes.Length, File.GetLastWriteTimeUtc(stream.SafeFileHandle));
            }

            File.Move(tempPath, filePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ApprovalStoreException)
        {
            TryDelete(tempPath);
            throw ex as ApprovalStoreException ?? new ApprovalStoreException(
                ex is UnauthorizedAccessException
                    ? $"The approvals file '{filePath}' could not be written: permission denied; it was left as it was."
                    : $"The approvals file '{filePath}' could not be written; it was left as it was.",
                filePath,
                ex);
        }

        return written;
    }

    private static void TryDelete(string tempPath)
    {
        try
        {
            File.Delete(tempPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Harmless: the next writer deletes it under the lock.
        }
    }
}
