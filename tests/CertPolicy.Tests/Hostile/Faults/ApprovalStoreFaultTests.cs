using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Decisions;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Hostile.Faults;

/// <summary>
/// The approvals file under faults: a folder the user may not write, a folder that cannot exist, a write that fails,
/// writers that die between writing and renaming, a lock held by another process past the timeout, and a named pipe
/// where the file should be. These extend tests/CertPolicy.Tests/Approvals (which cover the store's own contract)
/// with real processes and the decision engine on top.
/// </summary>
public sealed class ApprovalStoreFaultTests : IDisposable
{
    private static readonly ServerIdentity Server = ServerIdentity.Create("ems.example.test", 8443);
    private static readonly CertificateFingerprint ShaA = CertificateFingerprint.Parse(new string('A', 64));
    private static readonly CertificateFingerprint ShaB = CertificateFingerprint.Parse(new string('B', 64));

    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => _directory.File("approvals.json");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_read_only_folder_fails_the_change_with_a_typed_error_and_keeps_what_was_approved()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix folder permissions only.");
            return;
        }

        var store = new FileApprovalStore(FilePath);
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        byte[] before = File.ReadAllBytes(FilePath);
        File.SetUnixFileMode(_directory.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            if (PermissionsDoNotBite(_directory.Path))
            {
                Assert.Skip("This process may write into a read-only folder (it runs as root or with CAP_DAC_OVERRIDE), so a read-only folder cannot be simulated here; run the tests as an ordinary user to exercise it.");
                return;
            }

            ApprovalStoreException error = await Assert.ThrowsAsync<ApprovalStoreException>(
                async () => await store.SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct));

            Assert.Equal(store.FilePath, error.FilePath);
            Assert.Contains("could not be written; it was left as it was", error.Message, StringComparison.Ordinal);
            Assert.IsType<UnauthorizedAccessException>(error.InnerException);
            Assert.NotNull(new FileApprovalStore(FilePath).Find(Server, ShaA));
            Assert.Null(store.Find(Server, ShaB));
        }
        finally
        {
            File.SetUnixFileMode(_directory.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Assert.Equal(before, File.ReadAllBytes(FilePath));
    }

    [Fact]
    public async Task A_folder_that_cannot_be_created_fails_the_change_with_a_typed_error_and_reads_as_empty()
    {
        // A file stands where a folder of the path should be: unlike permissions, this stops root too.
        string blocker = _directory.File("not-a-folder");
        File.WriteAllText(blocker, "x");
        var store = new FileApprovalStore(Path.Combine(blocker, "CertPolicy", "approvals.json"));

        Assert.Empty(store.List());
        Assert.Null(store.Find(Server, ShaA));
        ApprovalStoreException error = await Assert.ThrowsAsync<ApprovalStoreException>(
            async () => await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct));

        Assert.Equal(store.FilePath, error.FilePath);
        Assert.Contains("cannot be", error.Message, StringComparison.Ordinal);
        Assert.Contains(blocker, error.Message, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(blocker));
    }

    [Fact]
    public async Task When_the_approval_cannot_be_written_the_user_connects_once_the_file_stays_whole_and_the_next_connection_asks_again()
    {
        // A full disk cannot be made without root; what is simulated is its effect on the store: the temporary file
        // cannot be written (a non-empty folder occupies its name), so the rename never happens.
        var store = new FileApprovalStore(FilePath);
        await store.SaveAsync(new CertificateApproval(ServerIdentity.Create("other.example.test"), ShaB, CertificateProblemKinds.Expired, TestPki.Now), Ct);
        byte[] before = File.ReadAllBytes(FilePath);
        Directory.CreateDirectory(FilePath + ".tmp");
        File.WriteAllText(Path.Combine(FilePath + ".tmp", "occupied"), "x");

        var prompt = TestPrompt.Answering(PromptAnswer.Allow);
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }, new FakeTimeProvider(TestPki.Now));
        var engine = new CertificateDecisionEngine(validator, new CertificateDecisionEngineOptions { Approvals = store, Prompt = prompt });
        ValidationReport report = Reports.Invalid(CertificateProblemKinds.UntrustedRoot);

        CertificateDecision first = await engine.DecideAsync(report, Ct);
        CertificateDecision silent = engine.DecideWithoutPrompt(report);

        Assert.True(first.ShouldConnect);
        Assert.Equal(DecisionReason.ApprovedByUser, first.Reason);
        Assert.Contains("could not be remembered", first.Message, StringComparison.Ordinal);
        Assert.Equal(DecisionReason.NeedsUserAnswer, silent.Reason);
        Assert.False(silent.ShouldConnect);
        Assert.Equal(before, File.ReadAllBytes(FilePath));
        Assert.Single(new FileApprovalStore(FilePath).List());
    }

    [Fact]
    public async Task A_complete_temporary_file_from_a_writer_that_died_before_renaming_is_never_taken_for_approvals()
    {
        var store = new FileApprovalStore(FilePath);
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        byte[] before = File.ReadAllBytes(FilePath);

        // What the dead writer had flushed: a whole, valid file approving another certificate.
        string other = _directory.File("other.json");
        await new FileApprovalStore(other).SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        File.Move(other, FilePath + ".tmp");

        Assert.Null(new FileApprovalStore(FilePath).Find(Server, ShaB));
        Assert.Equal(before, File.ReadAllBytes(FilePath));

        var third = ServerIdentity.Create("third.example.test");
        await new FileApprovalStore(FilePath).SaveAsync(new CertificateApproval(third, ShaB, CertificateProblemKinds.Expired, TestPki.Now), Ct);

        var after = new FileApprovalStore(FilePath);
        Assert.NotNull(after.Find(Server, ShaA));
        Assert.NotNull(after.Find(third, ShaB));
        Assert.Null(after.Find(Server, ShaB));
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(40)]
    public async Task A_writer_process_killed_mid_write_leaves_a_whole_readable_file_and_no_stuck_lock(int killAfter)
    {
        // Seed approvals that must survive whatever the killed process was doing.
        var seed = new FileApprovalStore(FilePath);
        for (int i = 0; i < 5; i++)
        {
            await seed.SaveAsync(new CertificateApproval(ServerIdentity.Create($"seed{i}.example.test"), CertificateFingerprint.Parse(Sha256($"seed{i}")), CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        }

        using Process writer = StartWriter(writerId: 7, count: 400);
        try
        {
            // Kill it once it has written about killAfter approvals: mid-stream, at no chosen point of its cycle
            // (lock, read, write temporary file, flush, rename).
            var watch = Stopwatch.StartNew();
            while (CountWriterApprovals() < killAfter && !writer.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(2, Ct);
            }

            Assert.False(writer.HasExited, $"the writer finished or failed before it could be killed: {await writer.StandardError.ReadToEndAsync(Ct)}");
        }
        finally
        {
            if (!writer.HasExited)
            {
                writer.Kill(entireProcessTree: true);
            }

            await writer.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }

        // The file parses (nothing was moved aside as corrupt) and holds the seed and a prefix of the writer's approvals.
        var reader = new FileApprovalStore(FilePath);
        IReadOnlyList<CertificateApproval> all = reader.List();
        Assert.Empty(Directory.GetFiles(_directory.Path, "approvals.json.corrupt-*"));
        for (int i = 0; i < 5; i++)
        {
            Assert.NotNull(reader.Find(ServerIdentity.Create($"seed{i}.example.test"), CertificateFingerprint.Parse(Sha256($"seed{i}"))));
        }

        int written = all.Count - 5;
        Assert.InRange(written, killAfter, 400);
        for (int i = 0; i < written; i++)
        {
            Assert.Contains(all, a => a.Server.Host == $"w7-{i}.writers.test");
        }

        // The dead process's lock died with it: the next change does not wait for it.
        var next = new FileApprovalStore(FilePath) { LockTimeout = TimeSpan.FromSeconds(5) };
        await next.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        Assert.Equal(all.Count + 1, new FileApprovalStore(FilePath).List().Count);
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Fact]
    public async Task Another_process_locked_out_past_the_default_timeout_fails_with_a_typed_error_and_loses_nothing()
    {
        // This process holds the writers' lock; the helper process, with the store's default 10-second timeout, waits
        // for it and gives up. (Bounded: the helper is killed if it is still running after a minute.)
        var store = new FileApprovalStore(FilePath);
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        byte[] before = File.ReadAllBytes(FilePath);

        string stderr;
        int exitCode;
        using (new FileStream(FilePath + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            using Process locked = StartWriter(writerId: 3, count: 2);
            Task<string> errors = locked.StandardError.ReadToEndAsync(Ct);
            try
            {
                await locked.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);
            }
            finally
            {
                if (!locked.HasExited)
                {
                    locked.Kill(entireProcessTree: true);
                }
            }

            stderr = await errors;
            exitCode = locked.ExitCode;
        }

        Assert.NotEqual(0, exitCode);
        Assert.Contains("CertPolicy.ApprovalStoreException: Timed out after 10 s waiting for other writers of the approvals file", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(FilePath));

        // Once the lock is free, the same helper writes its approvals, and the earlier one is still there.
        using Process free = StartWriter(writerId: 3, count: 2);
        await free.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(1), Ct);
        Assert.Equal(0, free.ExitCode);
        var after = new FileApprovalStore(FilePath);
        Assert.Equal(3, after.List().Count);
        Assert.NotNull(after.Find(Server, ShaA));
    }

    [Fact]
    public async Task A_named_pipe_at_the_approvals_path_never_blocks_a_reader_and_is_moved_aside()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Named pipes in the file system (FIFOs) exist on Unix only.");
            return;
        }

        // Opening a FIFO for reading waits for a writer: before the fix every Find on the handshake path hung here.
        Assert.Equal(0, MakeFifo(FilePath, Convert.ToUInt32("600", 8)));
        var store = new FileApprovalStore(FilePath);
        try
        {
            Task<CertificateApproval?> find = Task.Run(() => store.Find(Server, ShaA), Ct);
            Assert.Null(await find.WaitAsync(TimeSpan.FromSeconds(30), Ct));
            Assert.Empty(store.List());

            await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            // If a reader is stuck in open(), a read-write open of the pipe (which does not wait) releases it.
            if (File.Exists(FilePath) && new FileInfo(FilePath).Length == 0)
            {
                using var release = new FileStream(FilePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            }
        }

        Assert.NotNull(new FileApprovalStore(FilePath).Find(Server, ShaA));
        Assert.Single(Directory.GetFiles(_directory.Path, "approvals.json.corrupt-*"));
    }

    private static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static bool PermissionsDoNotBite(string folder)
    {
        string probe = Path.Combine(folder, "probe-" + Guid.NewGuid().ToString("N"));
        try
        {
            File.WriteAllText(probe, "x");
            File.Delete(probe);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in the test project; one plain call does not.
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
#pragma warning restore SYSLIB1054

    private int CountWriterApprovals()
    {
        try
        {
            return File.ReadAllText(FilePath).Split("writers.test").Length - 1;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Starts tests/CertPolicy.ApprovalWriter on this test's file; it starts writing at once.</summary>
    private Process StartWriter(int writerId, int count)
    {
        string goFile = _directory.File("go");
        File.WriteAllText(goFile, "go");
        string helper = typeof(ApprovalWriterMarker).Assembly.Location;
        Assert.True(File.Exists(helper), $"The helper {helper} was not built.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { helper, FilePath, writerId.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture), goFile })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
    }
}
