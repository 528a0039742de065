using System.Runtime.InteropServices;

namespace CertPolicy;

/// <summary>
/// File modes and ownership for the approvals files. On Unix new files are 0600 and new folders 0700. On Linux a
/// rewritten file keeps the owner and group of the file it replaces (read with <c>statx</c>, set with <c>chown</c>);
/// on other systems only the mode is kept.
/// </summary>
internal static partial class UnixFiles
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7FF;
    private const int StatxSize = 256;
    private const int StatxUidOffset = 20;
    private const int StatxGidOffset = 24;

    /// <summary>Options for opening a file exclusively, created 0600 on Unix.</summary>
    public static FileStreamOptions PrivateFileOptions(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode0600;
        }

        return options;
    }

    /// <summary>Creates a folder and any missing parents (0700 on Unix).</summary>
    /// <exception cref="ApprovalStoreException">The folder cannot be created.</exception>
    public static void CreateFolder(string folder, string filePath)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, DirectoryMode0700);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ApprovalStoreException(
                ex is UnauthorizedAccessException
                    ? $"The approvals folder '{folder}' cannot be created: permission denied."
                    : $"The approvals folder '{folder}' cannot be created.",
                filePath,
                ex);
        }
    }

    /// <summary>Gives <paramref name="target"/> the mode (and on Linux the owner and group) of <paramref name="source"/>.</summary>
    /// <exception cref="ApprovalStoreException">The owner or group could not be kept (for example: not running as root).</exception>
    /// <exception cref="IOException">The files could not be examined.</exception>
    public static void CopyOwnershipAndMode(string source, string target)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (OperatingSystem.IsLinux() && TryGetOwner(source, out uint uid, out uint gid)
            && TryGetOwner(target, out uint targetUid, out uint targetGid)
            && (uid, gid) != (targetUid, targetGid)
            && Chown(target, uid, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new ApprovalStoreException(
                $"The approvals file '{source}' was not changed: it belongs to uid {uid} gid {gid}, and this account cannot give the rewritten file that owner ({Marshal.GetPInvokeErrorMessage(errno)}).",
                source);
        }

        File.SetUnixFileMode(target, File.GetUnixFileMode(source));
    }

    /// <summary>Best effort: gives <paramref name="target"/> the owner and group of <paramref name="reference"/> (Linux only).</summary>
    public static void TryGiveOwnershipOf(string target, string reference)
    {
        if (OperatingSystem.IsLinux() && TryGetOwner(reference, out uint uid, out uint gid)
            && TryGetOwner(target, out uint targetUid, out uint targetGid)
            && (uid, gid) != (targetUid, targetGid))
        {
            _ = Chown(target, uid, gid);
        }
    }

    /// <summary>The owner and group of a path (Linux only).</summary>
    public static bool TryGetOwner(string path, out uint uid, out uint gid)
    {
        uid = gid = 0;
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[StatxSize];
        buffer.Clear();
        if (Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
        {
            return false;
        }

        // struct statx has the same layout on every architecture, in native byte order.
        uid = MemoryMarshal.Read<uint>(buffer[StatxUidOffset..]);
        gid = MemoryMarshal.Read<uint>(buffer[StatxGidOffset..]);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, Span<byte> buffer);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);
}
