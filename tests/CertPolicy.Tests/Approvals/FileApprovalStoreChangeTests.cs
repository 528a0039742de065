using System.Text;

using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Approvals;

/// <summary>
/// Changes made by another process are noticed whatever the file system's timestamp resolution, and a read-only
/// store or a permission failure never changes the file.
/// </summary>
public sealed class FileApprovalStoreChangeTests : IDisposable
{
    private static readonly ServerIdentity ServerA = ServerIdentity.Create("a.example.test", 8443);
    private static readonly ServerIdentity ServerB = ServerIdentity.Create("b.example.test", 8443);
    private static readonly CertificateFingerprint Sha = CertificateFingerprint.Parse(new string('A', 64));

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string FilePath => _directory.File("approvals.json");

    [Fact]
    public void A_change_that_keeps_the_length_and_the_last_write_time_is_still_seen()
    {
        // Two versions of the same length, stamped with the same last write time, as two writes within one tick of a
        // coarse file-system clock (ramfs: 4 ms) leave them.
        byte[] first = FileWith(ServerA);
        byte[] second = FileWith(ServerB);
        Assert.Equal(first.Length, second.Length);
        DateTime stamp = DateTime.UtcNow;
        File.WriteAllBytes(FilePath, first);
        File.SetLastWriteTimeUtc(FilePath, stamp);

        var reader = new FileApprovalStore(FilePath);
        Assert.NotNull(reader.Find(ServerA, Sha));
        long version = reader.RefreshVersion();

        File.WriteAllBytes(FilePath, second);
        File.SetLastWriteTimeUtc(FilePath, stamp);
        Assert.Equal(FileStamp.OfPath(FilePath), new FileStamp(true, first.Length, stamp));

        Assert.NotEqual(version, reader.RefreshVersion());
        Assert.Null(reader.Find(ServerA, Sha));
        Assert.NotNull(reader.Find(ServerB, Sha));
    }

    [Fact]
    public void A_read_only_store_reports_a_damaged_file_and_leaves_the_folder_exactly_as_it_was()
    {
        byte[] damaged = Encoding.UTF8.GetBytes("{ \"version\": 1, \"approvals\": [ oops");
        File.WriteAllBytes(FilePath, damaged);
        string[] before = Directory.GetFileSystemEntries(_directory.Path);

        FileApprovalStore store = FileApprovalStore.OpenReadOnly(FilePath);
        ApprovalStoreException error = Assert.Throws<ApprovalStoreException>(() => store.List());
        Assert.Contains("damaged", error.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStore.UnsettledVersion, store.RefreshVersion());
        Assert.Throws<InvalidOperationException>(() => store.ForgetAllAsync(ServerA, TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult());

        Assert.Equal(damaged, File.ReadAllBytes(FilePath));
        Assert.Equal(before, Directory.GetFileSystemEntries(_directory.Path));
    }

    [Fact]
    public void A_read_only_store_over_a_missing_file_in_a_missing_folder_holds_nothing_and_creates_nothing()
    {
        string file = Path.Combine(_directory.Path, "missing", "approvals.json");
        FileApprovalStore store = FileApprovalStore.OpenReadOnly(file);

        Assert.Empty(store.List());
        Assert.False(Directory.Exists(Path.GetDirectoryName(file)));
    }

    [Fact]
    public async Task A_rewrite_as_root_keeps_the_owner_group_and_mode_of_another_accounts_file()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Skip("Needs root on Linux: only root can give a file to another account.");
            return;
        }

        var writer = new FileApprovalStore(FilePath);
        await writer.SaveAsync(new CertificateApproval(ServerA, Sha, CertificateProblemKinds.UntrustedRoot, TestPki.Now), TestContext.Current.CancellationToken);
        Assert.Equal(0, FileApprovalStorePartsTests.RunChown("65534:65534", FilePath));
        UnixFileMode mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(FilePath, mode0640);

        Assert.Equal(1, await new FileApprovalStore(FilePath).ForgetAllAsync(ServerA, TestContext.Current.CancellationToken));

        Assert.True(UnixFiles.TryGetOwner(FilePath, out uint uid, out uint gid));
        Assert.Equal((65534u, 65534u), (uid, gid));
        Assert.Equal(mode0640, File.GetUnixFileMode(FilePath));
        Assert.Empty(new FileApprovalStore(FilePath).List());
    }

    private static byte[] FileWith(ServerIdentity server) => Encoding.UTF8.GetBytes($$"""
        { "version": 1, "approvals": [ { "host": "{{server.Host}}", "port": {{server.Port}}, "sha256": "{{Sha}}", "problems": ["UntrustedRoot"], "approvedAt": "2026-06-01T12:00:00+00:00" } ] }
        """);
}
