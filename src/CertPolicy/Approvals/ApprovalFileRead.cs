using Microsoft.Win32.SafeHandles;

namespace CertPolicy;

/// <summary>How reading the approvals file went.</summary>
internal enum ReadStatus
{
    Read,
    Missing,
    TooLarge,
    PermissionDenied,
    IsFolder,
    TransientFailure,
}

/// <summary>One read of the approvals file: its bytes and the stamp of the very file they came from, or why there are none.</summary>
internal readonly record struct ApprovalFileRead(ReadStatus Status, FileStamp Stamp, byte[] Bytes, Exception? Error)
{
    /// <summary>Reads the file without any lock, classifying every failure (a permission failure is never "damaged").</summary>
    public static ApprovalFileRead From(string filePath)
    {
        try
        {
            // An empty file holds no approvals, so it is not opened. This also keeps readers from blocking forever on a
            // named pipe (FIFO) put at the path, which reports a length of zero and whose opening waits for a writer.
            var info = new FileInfo(filePath);
            if (info.Exists && info.Length == 0)
            {
                return new ApprovalFileRead(ReadStatus.Read, new FileStamp(true, 0, info.LastWriteTimeUtc), [], null);
            }

            using SafeFileHandle handle = File.OpenHandle(filePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

            // The stamp comes from the open handle, so it always describes the bytes read.
            long length = RandomAccess.GetLength(handle);
            var stamp = new FileStamp(true, length, File.GetLastWriteTimeUtc(handle));
            if (length > ApprovalFileFormat.MaxFileBytes)
            {
                return new ApprovalFileRead(ReadStatus.TooLarge, stamp, [], null);
            }

            byte[] bytes = new byte[length];
            int total = 0;
            while (total < bytes.Length)
            {
                int count = RandomAccess.Read(handle, bytes.AsSpan(total), total);
                if (count == 0)
                {
                    break;
                }

                total += count;
            }

            return new ApprovalFileRead(ReadStatus.Read, stamp, total == bytes.Length ? bytes : bytes[..total], null);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ApprovalFileRead(ReadStatus.Missing, FileStamp.Missing, [], null);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return Classify(filePath, ex);
        }
    }

    /// <summary>What a failure to open or read the file means: a folder at the path, a permission failure, or a passing I/O error.</summary>
    public static ApprovalFileRead Classify(string filePath, Exception error)
    {
        if (Directory.Exists(filePath))
        {
            return new ApprovalFileRead(ReadStatus.IsFolder, FileStamp.Missing, [], error);
        }

        return error is UnauthorizedAccessException
            ? new ApprovalFileRead(ReadStatus.PermissionDenied, FileStamp.OfPath(filePath), [], error)
            : new ApprovalFileRead(ReadStatus.TransientFailure, FileStamp.Missing, [], error);
    }
}
