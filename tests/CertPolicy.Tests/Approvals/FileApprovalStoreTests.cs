using System.Text;
using System.Text.Json;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Approvals;

public sealed class FileApprovalStoreTests : IDisposable
{
    private static readonly ServerIdentity Server = ServerIdentity.Create("ems.example.test", 8443);
    private static readonly CertificateFingerprint ShaA = CertificateFingerprint.Parse(new string('A', 64));
    private static readonly CertificateFingerprint ShaB = CertificateFingerprint.Parse(new string('B', 64));

    private readonly TempDirectory _directory = new();
    private readonly FakeLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly FakeTimeProvider _time = new(TestPki.Now);

    public FileApprovalStoreTests()
    {
        _loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(_logs));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => _directory.File("approvals.json");

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _logs.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task Approvals_survive_into_a_new_store_over_the_same_file()
    {
        var approval = new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot | CertificateProblemKinds.Expired, TestPki.Now, "CN=ems.example.test");
        await NewStore().SaveAsync(approval, Ct);

        CertificateApproval found = Assert.IsType<CertificateApproval>(NewStore().Find(Server, ShaA));

        Assert.Equal(Server, found.Server);
        Assert.Equal(ShaA, found.Fingerprint);
        Assert.Equal(approval.AcceptedProblems, found.AcceptedProblems);
        Assert.Equal(TestPki.Now, found.ApprovedAt);
        Assert.Equal("CN=ems.example.test", found.Subject);
    }

    [Fact]
    public async Task The_file_is_versioned_json_naming_problems_by_name()
    {
        await NewStore().SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot | CertificateProblemKinds.Expired, TestPki.Now, "CN=ems"), Ct);

        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
        JsonElement root = document.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        JsonElement entry = Assert.Single(root.GetProperty("approvals").EnumerateArray());
        Assert.Equal("ems.example.test", entry.GetProperty("host").GetString());
        Assert.Equal(8443, entry.GetProperty("port").GetInt32());
        Assert.Equal(ShaA.ToString(), entry.GetProperty("sha256").GetString());
        Assert.Equal(["Expired", "UntrustedRoot"], entry.GetProperty("problems").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(TestPki.Now, entry.GetProperty("approvedAt").GetDateTimeOffset());
        Assert.Equal("CN=ems", entry.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task List_and_forget_work_on_the_file()
    {
        FileApprovalStore store = NewStore();
        var other = ServerIdentity.Create("a.example.test", 443);
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        await store.SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.UntrustedRoot, TestPki.Now.AddHours(1)), Ct);
        await store.SaveAsync(new CertificateApproval(other, ShaA, CertificateProblemKinds.NameMismatch, TestPki.Now), Ct);

        Assert.Equal([(other, ShaA), (Server, ShaA), (Server, ShaB)], NewStore().List().Select(a => (a.Server, a.Fingerprint)));
        Assert.True(await store.ForgetAsync(Server, CertificateFingerprint.Parse(ShaB.ToString().ToLowerInvariant()), Ct));
        Assert.False(await NewStore().ForgetAsync(Server, ShaB, Ct));
        Assert.Equal(1, await NewStore().ForgetAllAsync(other, Ct));
        Assert.Equal((Server, ShaA), Assert.Single(NewStore().List()) is var a ? (a.Server, a.Fingerprint) : default);
        Assert.Single(store.List());
    }

    [Fact]
    public async Task A_change_that_changes_nothing_does_not_rewrite_the_file()
    {
        await NewStore().SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        DateTime written = File.GetLastWriteTimeUtc(FilePath);
        File.SetLastWriteTimeUtc(FilePath, written.AddDays(-1));

        Assert.False(await NewStore().ForgetAsync(Server, ShaB, Ct));

        Assert.Equal(written.AddDays(-1), File.GetLastWriteTimeUtc(FilePath));
    }

    [Fact]
    public async Task A_missing_file_reads_as_empty_and_its_folders_are_created_on_the_first_change()
    {
        string nested = Path.Combine(_directory.Path, "a", "b", "approvals.json");
        var store = new FileApprovalStore(nested);

        Assert.Empty(store.List());
        Assert.Null(store.Find(Server, ShaA));
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);

        Assert.True(File.Exists(nested));
    }

    [Fact]
    public async Task On_unix_the_file_lock_and_new_folders_are_readable_by_the_user_alone()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes do not exist on Windows.");
            return;
        }

        string folder = Path.Combine(_directory.Path, "private");
        var store = new FileApprovalStore(Path.Combine(folder, "approvals.json"));

        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.FilePath + ".lock"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    [Fact]
    public async Task A_failed_write_leaves_the_old_file_whole()
    {
        FileApprovalStore store = NewStore();
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        byte[] before = File.ReadAllBytes(FilePath);

        // The temporary file cannot be created where a folder (that is not empty) stands.
        Directory.CreateDirectory(FilePath + ".tmp");
        File.WriteAllText(Path.Combine(FilePath + ".tmp", "keep"), "x");
        ApprovalStoreException error = await Assert.ThrowsAsync<ApprovalStoreException>(
            async () => await store.SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct));

        Assert.Equal(store.FilePath, error.FilePath);
        Assert.Equal(before, File.ReadAllBytes(FilePath));
        Assert.NotNull(NewStore().Find(Server, ShaA));
        Assert.Null(NewStore().Find(Server, ShaB));
        Assert.Null(store.Find(Server, ShaB));
    }

    [Fact]
    public async Task A_temporary_file_left_by_a_writer_that_died_is_replaced()
    {
        File.WriteAllText(FilePath + ".tmp", "{ half written");

        await NewStore().SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);

        Assert.NotNull(NewStore().Find(Server, ShaA));
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Theory]
    [InlineData("this is not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("""{ "approvals": [] }""")]
    [InlineData("""{ "version": 0, "approvals": [] }""")]
    [InlineData("""{ "version": 1, "approvals": [ null ] }""")]
    [InlineData("""{ "version": 1, "approvals": [ { "host": "ems.example.test", "port": 8443, "sha256": "XYZ", "problems": ["UntrustedRoot"], "approvedAt": "2026-06-01T12:00:00+00:00" } ] }""")]
    [InlineData("""{ "version": 1, "approvals": [ { "host": "", "port": 8443, "sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "problems": ["UntrustedRoot"], "approvedAt": "2026-06-01T12:00:00+00:00" } ] }""")]
    [InlineData("""{ "version": 1, "approvals": [ { "host": "ems.example.test", "port": 0, "sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "problems": ["UntrustedRoot"], "approvedAt": "2026-06-01T12:00:00+00:00" } ] }""")]
    [InlineData("""{ "version": 1, "approvals": [ { "host": "ems.example.test", "port": 8443, "sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "problems": [], "approvedAt": "2026-06-01T12:00:00+00:00" } ] }""")]
    [InlineData("""{ "version": 1, "approvals": [ { "host": "ems.example.test", "port": 8443, "sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "problems": ["UntrustedRoot"] } ] }""")]
    [InlineData("""{ "version": 1, "approvals": [ { "host": null, "port": 8443, "sha256": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "problems": ["UntrustedRoot"], "approvedAt": "2026-06-01T12:00:00+00:00" } ] }""")]
    [InlineData("""{ "version": 1, "version": 1, "approvals": [] }""")]
    public void A_corrupt_file_is_moved_aside_intact_logged_and_read_as_empty(string content)
    {
        File.WriteAllText(FilePath, content);

        FileApprovalStore store = NewStore();

        Assert.Empty(store.List());
        Assert.False(File.Exists(FilePath));
        string aside = Assert.Single(Directory.GetFiles(_directory.Path, "approvals.json.corrupt-*"));
        Assert.Equal(FilePath + ".corrupt-20260601T120000Z", aside);
        Assert.Equal(content, File.ReadAllText(aside));
        FakeLogRecord record = Assert.Single(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4100);
        Assert.Equal(LogLevel.Error, record.Level);
        Assert.Contains(aside, record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_corrupt_file_is_moved_aside_new_approvals_are_saved_and_the_aside_file_is_kept()
    {
        File.WriteAllText(FilePath, "{ broken");
        FileApprovalStore store = NewStore();

        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);

        Assert.NotNull(NewStore().Find(Server, ShaA));
        Assert.Equal("{ broken", File.ReadAllText(FilePath + ".corrupt-20260601T120000Z"));
    }

    [Fact]
    public void Moving_aside_never_overwrites_an_earlier_aside_file()
    {
        File.WriteAllText(FilePath + ".corrupt-20260601T120000Z", "first corruption");
        File.WriteAllText(FilePath, "second corruption");

        Assert.Empty(NewStore().List());

        Assert.Equal("first corruption", File.ReadAllText(FilePath + ".corrupt-20260601T120000Z"));
        Assert.Equal("second corruption", File.ReadAllText(FilePath + ".corrupt-20260601T120000Z-1"));
    }

    [Fact]
    public async Task A_writer_that_finds_a_corrupt_file_moves_it_aside_before_writing()
    {
        File.WriteAllBytes(FilePath, [0xFF, 0xFE, 0x00, 0x01]);

        await NewStore().SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);

        Assert.Equal([0xFF, 0xFE, 0x00, 0x01], File.ReadAllBytes(FilePath + ".corrupt-20260601T120000Z"));
        Assert.Single(NewStore().List());
        Assert.Single(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4100);
    }

    [Fact]
    public async Task A_file_from_a_newer_version_reads_as_empty_and_is_never_changed()
    {
        const string Newer = """{ "version": 3, "approvals": [], "somethingNew": true }""";
        File.WriteAllText(FilePath, Newer);
        FileApprovalStore store = NewStore();

        Assert.Empty(store.List());
        await Assert.ThrowsAsync<ApprovalStoreException>(async () => await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct));

        Assert.Equal(Newer, File.ReadAllText(FilePath));
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.corrupt-*"));
        Assert.Single(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4102);
    }

    [Fact]
    public async Task Problems_and_members_this_version_does_not_know_are_kept_and_such_an_approval_never_applies()
    {
        File.WriteAllText(FilePath, $$"""
            {
              "version": 1,
              "approvals": [
                { "host": "ems.example.test", "port": 8443, "sha256": "{{ShaA}}", "problems": ["UntrustedRoot", "QuantumWeakness"], "approvedAt": "2026-06-01T12:00:00+00:00", "approvedBy": "alice" }
              ],
              "writtenBy": "CertPolicy 9"
            }
            """);
        FileApprovalStore store = NewStore();
        Assert.NotNull(store.Find(Server, ShaA));
        Assert.Equal(CertificateProblemKinds.UntrustedRoot, store.Find(Server, ShaA)!.AcceptedProblems);

        await store.SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.Expired, TestPki.Now), Ct);

        string text = File.ReadAllText(FilePath);
        Assert.Contains("QuantumWeakness", text, StringComparison.Ordinal);
        Assert.Contains("\"approvedBy\": \"alice\"", text, StringComparison.Ordinal);
        Assert.Contains("\"writtenBy\": \"CertPolicy 9\"", text, StringComparison.Ordinal);

        using var fixture = new Decisions.EngineFixture(InvalidCertificateAction.Warn, prompt: null, store);
        CertificateDecision decision = fixture.Engine.DecideWithoutPrompt(new ValidationReport(
            ValidationMode.Modern,
            Server,
            Decisions.Reports.Verdict(CertificateProblemKinds.UntrustedRoot),
            null,
            new CertificateSummary("CN=ems", "CN=root", "01", TestPki.DefaultNotBefore, TestPki.DefaultNotAfter, ShaA.ToString(), [], []),
            [],
            TestPki.Now));
        Assert.Equal(DecisionReason.NoPrompt, decision.Reason);
    }

    [Fact]
    public async Task A_store_notices_changes_another_store_made_even_when_the_file_keeps_its_length()
    {
        FileApprovalStore writer = NewStore();
        FileApprovalStore reader = NewStore();
        await writer.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        Assert.Equal(TestPki.Now, reader.Find(Server, ShaA)!.ApprovedAt);
        long length = new FileInfo(FilePath).Length;
        long version = reader.Version;
        int changes = 0;
        reader.Changed += (_, _) => changes++;

        // Same length, written at once: only the write time tells the two files apart.
        await writer.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now.AddSeconds(1)), Ct);

        Assert.Equal(length, new FileInfo(FilePath).Length);
        Assert.Equal(TestPki.Now.AddSeconds(1), reader.Find(Server, ShaA)!.ApprovedAt);
        Assert.Equal(1, changes);
        Assert.True(reader.Version > version);

        await writer.ForgetAsync(Server, ShaA, Ct);
        Assert.Null(reader.Find(Server, ShaA));
    }

    [Fact]
    public async Task A_change_waits_for_another_writer_and_fails_cleanly_when_it_never_finishes()
    {
        FileApprovalStore store = new(FilePath) { LockTimeout = TimeSpan.FromMilliseconds(200) };
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        byte[] before = File.ReadAllBytes(FilePath);

        using (new FileStream(FilePath + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            ApprovalStoreException error = await Assert.ThrowsAsync<ApprovalStoreException>(
                async () => await store.SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct));
            Assert.Contains("Timed out", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, File.ReadAllBytes(FilePath));
        await store.SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        Assert.Equal(2, NewStore().List().Count);
    }

    [Fact]
    public async Task Waiting_for_another_writer_can_be_cancelled()
    {
        FileApprovalStore store = new(FilePath);
        await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        using var cancel = new CancellationTokenSource();

        using (new FileStream(FilePath + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Task saving = store.SaveAsync(new CertificateApproval(Server, ShaB, CertificateProblemKinds.UntrustedRoot, TestPki.Now), cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => saving.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        }

        Assert.Single(NewStore().List());
    }

    [Fact]
    public async Task A_folder_where_the_file_should_be_is_kept_and_approves_nothing()
    {
        Directory.CreateDirectory(FilePath);
        File.WriteAllText(Path.Combine(FilePath, "keep"), "x");
        FileApprovalStore store = NewStore();

        Assert.Empty(store.List());
        Assert.Null(store.Find(Server, ShaA));
        await Assert.ThrowsAsync<ApprovalStoreException>(async () => await store.SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct));

        Assert.Equal("x", File.ReadAllText(Path.Combine(FilePath, "keep")));
        Assert.Single(_logs.Collector.GetSnapshot(), r => r.Id.Id == 4105 && r.Level == LogLevel.Error);
    }

    [Fact]
    public void A_store_needs_a_file_path()
    {
        Assert.Throws<ArgumentException>(() => new FileApprovalStore(" "));
        Assert.Throws<ArgumentException>(() => new FileApprovalStore(_directory.Path + Path.DirectorySeparatorChar));
        Assert.EndsWith(Path.Combine("CertPolicy", "approvals.json"), FileApprovalStore.DefaultFilePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_with_a_byte_order_mark_is_read()
    {
        await NewStore().SaveAsync(new CertificateApproval(Server, ShaA, CertificateProblemKinds.UntrustedRoot, TestPki.Now), Ct);
        File.WriteAllBytes(FilePath, [.. Encoding.UTF8.GetPreamble(), .. File.ReadAllBytes(FilePath)]);

        Assert.NotNull(NewStore().Find(Server, ShaA));
    }

    private FileApprovalStore NewStore() => new(FilePath, _time, _loggerFactory);
}
