using System.Text;

namespace CertPolicy.Tests.Approvals;

/// <summary>The internal parts of <see cref="FileApprovalStore"/>, each on real files in a temporary folder.</summary>
public sealed class FileApprovalStorePartsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_lock_is_exclusive_until_released_and_a_wait_for_it_times_out_with_a_clear_error()
    {
        string file = _directory.File("approvals.json");
        string lockPath = file + ".lock";
        using (ApprovalFileLock? first = ApprovalFileLock.TryAcquire(lockPath, file, out _))
        {
            Assert.NotNull(first);
            Assert.Null(ApprovalFileLock.TryAcquire(lockPath, file, out IOException? busy));
            Assert.NotNull(busy);
            ApprovalStoreException timedOut = await Assert.ThrowsAsync<ApprovalStoreException>(
                async () => await ApprovalFileLock.AcquireAsync(lockPath, file, TimeSpan.FromMilliseconds(20), TimeProvider.System, Ct));
            Assert.Contains("Timed out", timedOut.Message, StringComparison.Ordinal);
        }

        using ApprovalFileLock second = await ApprovalFileLock.AcquireAsync(lockPath, file, TimeSpan.FromSeconds(5), TimeProvider.System, Ct);
        Assert.NotNull(second);
    }

    [Fact]
    public void The_lock_in_a_missing_folder_is_an_error_naming_the_folder()
    {
        string file = Path.Combine(_directory.Path, "missing", "approvals.json");
        ApprovalStoreException error = Assert.Throws<ApprovalStoreException>(() => ApprovalFileLock.TryAcquire(file + ".lock", file, out _));
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Fact]
    public void The_atomic_replace_writes_the_new_bytes_leaves_no_temporary_file_and_moves_the_stamp()
    {
        string file = _directory.File("approvals.json");
        FileStamp first = AtomicFileReplace.Write(file, "12345"u8, FileStamp.Missing);
        FileStamp second = AtomicFileReplace.Write(file, "67890"u8, first);

        Assert.Equal("67890", File.ReadAllText(file));
        Assert.False(File.Exists(file + ".tmp"));
        Assert.NotEqual(first, second);
        Assert.Equal(FileStamp.OfPath(file), second);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void The_atomic_replace_keeps_the_mode_of_the_file_it_replaces()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only.");
            return;
        }

        string file = _directory.File("approvals.json");
        File.WriteAllText(file, "old");
        UnixFileMode mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(file, mode0640);

        AtomicFileReplace.Write(file, "new"u8, FileStamp.OfPath(file));

        Assert.Equal(mode0640, File.GetUnixFileMode(file));
    }

    [Fact]
    public void The_atomic_replace_as_root_keeps_another_accounts_owner_and_group()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Skip("Needs root on Linux: only root can give a file to another account.");
            return;
        }

        string file = _directory.File("approvals.json");
        File.WriteAllText(file, "old");
        Assert.Equal(0, RunChown("65534:65534", file));

        AtomicFileReplace.Write(file, "new"u8, FileStamp.OfPath(file));

        Assert.True(UnixFiles.TryGetOwner(file, out uint uid, out uint gid));
        Assert.Equal((65534u, 65534u), (uid, gid));
        Assert.Equal("new", File.ReadAllText(file));
    }

    [Fact]
    public void The_quarantine_keeps_the_bytes_and_never_overwrites_an_earlier_one()
    {
        string file = _directory.File("approvals.json");
        var now = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        File.WriteAllText(file, "{ damaged 1");
        string first = ApprovalFileQuarantine.MoveAside(file, "not JSON", now, null);
        File.WriteAllText(file, "{ damaged 2");
        string second = ApprovalFileQuarantine.MoveAside(file, "not JSON", now, null);

        Assert.Equal(file + ".corrupt-20260601T120000Z", first);
        Assert.Equal(file + ".corrupt-20260601T120000Z-1", second);
        Assert.Equal("{ damaged 1", File.ReadAllText(first));
        Assert.Equal("{ damaged 2", File.ReadAllText(second));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void A_snapshot_trusts_an_equal_stamp_only_once_the_last_write_is_older_than_the_settle_delay()
    {
        var written = new DateTime(2026, 6, 1, 12, 0, 0, DateTimeKind.Utc);
        var stamp = new FileStamp(true, 42, written);
        var justAfter = new DateTimeOffset(written.AddMilliseconds(1));
        var later = new DateTimeOffset(written + ApprovalSnapshot.SettleDelay);
        ApprovalSnapshot fresh = ApprovalSnapshot.From(ApprovalFileFormat.Empty(), stamp, Encoding.UTF8.GetBytes("{}"), justAfter);

        Assert.Equal(StampCheck.CompareContent, fresh.Check(stamp));
        Assert.Equal(StampCheck.Changed, fresh.Check(stamp with { LastWriteUtc = written.AddTicks(1) }));
        Assert.Equal(StampCheck.Changed, fresh.Check(FileStamp.Missing));
        Assert.Same(fresh, fresh.Confirmed(justAfter));
        Assert.Equal(StampCheck.Unchanged, fresh.Confirmed(later).Check(stamp));
        Assert.Equal(StampCheck.Unchanged, ApprovalSnapshot.Empty(FileStamp.Missing).Check(FileStamp.Missing));
    }

    [Fact]
    public void A_permission_failure_is_classified_as_such_and_a_folder_as_a_folder()
    {
        string file = _directory.File("approvals.json");
        File.WriteAllText(file, "{}");
        Assert.Equal(ReadStatus.PermissionDenied, ApprovalFileRead.Classify(file, new UnauthorizedAccessException("denied")).Status);
        Assert.Equal(ReadStatus.TransientFailure, ApprovalFileRead.Classify(file, new IOException("busy")).Status);

        string folder = _directory.File("folder.json");
        Directory.CreateDirectory(folder);
        Assert.Equal(ReadStatus.IsFolder, ApprovalFileRead.From(folder).Status);
    }

    internal static int RunChown(string owner, string path)
    {
        using var chown = System.Diagnostics.Process.Start("chown", [owner, path]);
        return chown.WaitForExit(10_000) ? chown.ExitCode : -1;
    }
}
