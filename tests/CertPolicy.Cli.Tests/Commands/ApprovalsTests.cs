using System.Text.Json;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Commands;

public sealed class ApprovalsTests : IDisposable
{
    private static readonly DateTimeOffset ApprovedAt = new(2026, 5, 20, 8, 30, 0, TimeSpan.Zero);

    private readonly TestChain _chain = new();
    private readonly TempFolder _folder = new();

    public void Dispose()
    {
        _chain.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task List_of_a_file_that_does_not_exist_says_nothing_is_remembered()
    {
        CliResult result = await CliRun.RunAsync("approvals", "list", "--approvals", _folder.File("approvals.json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("No approval is remembered.", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_shows_each_approval_with_its_server_subject_problems_and_date()
    {
        string file = _folder.File("approvals.json");
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("ems.example.test", 8443), _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt, "CN=ems.example.test"));
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("other.example.test"), _chain.LeafFingerprint, CertificateProblemKinds.NameMismatch | CertificateProblemKinds.Expired, ApprovedAt, "CN=other"));

        CliResult result = await CliRun.RunAsync("approvals", "list", "--approvals", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("2 remembered approvals", result.Output, StringComparison.Ordinal);
        Assert.Contains("ems.example.test:8443", result.Output, StringComparison.Ordinal);
        Assert.Contains("UntrustedRoot", result.Output, StringComparison.Ordinal);
        Assert.Contains("NameMismatch, Expired", result.Output, StringComparison.Ordinal);
        Assert.Contains("2026-05-20 08:30:00 UTC", result.Output, StringComparison.Ordinal);
        Assert.Contains(_chain.LeafSha256, result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_for_one_server_shows_only_its_approvals_and_json_is_one_object()
    {
        string file = _folder.File("approvals.json");
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("ems.example.test", 8443), _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt, "CN=ems"));
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("other.example.test"), _chain.LeafFingerprint, CertificateProblemKinds.NameMismatch, ApprovedAt, "CN=other"));

        CliResult result = await CliRun.RunAsync("approvals", "list", "ems.example.test:8443", "--approvals", file, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement approval = Assert.Single(json.RootElement.GetProperty("approvals").EnumerateArray());
        Assert.Equal("ems.example.test:8443", approval.GetProperty("server").GetString());
        Assert.Equal(_chain.LeafSha256, approval.GetProperty("sha256").GetString());
        Assert.Equal("UntrustedRoot", Assert.Single(approval.GetProperty("problems").EnumerateArray()).GetString());
        Assert.Equal(ApprovedAt, approval.GetProperty("approvedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Forget_removes_every_approval_for_the_server_and_no_other()
    {
        string file = _folder.File("approvals.json");
        using var otherChain = new TestChain();
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("ems.example.test", 8443), _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt));
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("ems.example.test", 8443), otherChain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt));
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("other.example.test"), _chain.LeafFingerprint, CertificateProblemKinds.NameMismatch, ApprovedAt));

        CliResult result = await CliRun.RunAsync("approvals", "forget", "ems.example.test:8443", "--approvals", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Forgot 2 approvals for ems.example.test:8443.", result.Output, StringComparison.Ordinal);
        CertificateApproval left = Assert.Single(new FileApprovalStore(file).List());
        Assert.Equal("other.example.test", left.Server.Host);
    }

    [Fact]
    public async Task Forget_with_a_fingerprint_removes_only_that_certificate()
    {
        string file = _folder.File("approvals.json");
        using var otherChain = new TestChain();
        var server = ServerIdentity.Create("ems.example.test", 8443);
        await SaveAsync(file, new CertificateApproval(server, _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt));
        await SaveAsync(file, new CertificateApproval(server, otherChain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt));

        CliResult result = await CliRun.RunAsync("approvals", "forget", "ems.example.test:8443", "--sha256", _chain.LeafSha256.ToLowerInvariant(), "--approvals", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(otherChain.LeafSha256, Assert.Single(new FileApprovalStore(file).List()).Fingerprint.ToString());
    }

    [Fact]
    public async Task Forget_when_nothing_is_remembered_says_so()
    {
        CliResult result = await CliRun.RunAsync("approvals", "forget", "ems.example.test", "--approvals", _folder.File("approvals.json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("nothing to forget", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forget_with_a_malformed_fingerprint_exits_1_with_one_line()
    {
        CliResult result = await CliRun.RunAsync("approvals", "forget", "ems.example.test", "--sha256", "12:34", "--approvals", _folder.File("approvals.json"));

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("is not a SHA-256 fingerprint", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_shows_a_remembered_approval_for_this_certificate_and_these_problems_under_Warn()
    {
        string file = _folder.File("approvals.json");
        await using LoopbackTlsServer server = _chain.StartServer();
        var identity = ServerIdentity.Create("other.example.test", server.Port);
        await SaveAsync(file, new CertificateApproval(identity, _chain.LeafFingerprint, CertificateProblemKinds.NameMismatch, ApprovedAt));

        CliResult result = await CliRun.RunAsync(
            "check", server.Address, "--server-name", "other.example.test", "--trust", _chain.RootPem, "--approvals", file);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("Warn    connects (remembered approval)", result.Output, StringComparison.Ordinal);
        Assert.Contains("given on 2026-05-20 08:30:00 UTC", result.Output, StringComparison.Ordinal);
        Assert.Contains("Deny    refuses", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_for_other_problems_does_not_apply_and_the_user_is_asked()
    {
        string file = _folder.File("approvals.json");
        var identity = ServerIdentity.Create("other.example.test", 443);
        await SaveAsync(file, new CertificateApproval(identity, _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt));

        CliResult result = await CliRun.RunAsync(
            "inspect", _chain.ChainPem, "--server-name", "other.example.test", "--trust", _chain.RootPem, "--approvals", file, "--json");

        Assert.True(result.ExitCode == 3, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.Output);
        JsonElement warn = json.RootElement.GetProperty("actions").GetProperty("warn");
        Assert.Equal("ask", warn.GetProperty("outcome").GetString());
        Assert.Contains("other problems", warn.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approval_for_another_port_does_not_apply()
    {
        string file = _folder.File("approvals.json");
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("other.example.test", 8443), _chain.LeafFingerprint, CertificateProblemKinds.NameMismatch, ApprovedAt));

        CliResult result = await CliRun.RunAsync(
            "inspect", _chain.ChainPem, "--server-name", "other.example.test:443", "--trust", _chain.RootPem, "--approvals", file, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.Equal("ask", json.RootElement.GetProperty("actions").GetProperty("warn").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Without_an_approvals_file_the_report_says_approvals_were_not_consulted()
    {
        CliResult result = await CliRun.RunAsync("inspect", _chain.ChainPem, "--server-name", "other.example.test", "--trust", _chain.RootPem, "--json");

        using JsonDocument json = JsonDocument.Parse(result.Output);
        Assert.False(json.RootElement.GetProperty("approvals").GetProperty("consulted").GetBoolean());
        Assert.Equal("ask", json.RootElement.GetProperty("actions").GetProperty("warn").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task List_leaves_a_damaged_file_byte_identical_creates_nothing_and_says_it_is_damaged()
    {
        string file = _folder.File("approvals.json");
        byte[] damaged = "{ \"version\": 1, \"approvals\": [ oops"u8.ToArray();
        await File.WriteAllBytesAsync(file, damaged, TestContext.Current.CancellationToken);
        string folder = Path.GetDirectoryName(file)!;
        string[] before = Directory.GetFileSystemEntries(folder);

        CliResult result = await CliRun.RunAsync("approvals", "list", "--approvals", file);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("damaged", result.Error, StringComparison.Ordinal);
        Assert.Equal(damaged, await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken));
        Assert.Equal(before, Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public async Task A_folder_given_as_the_file_is_named_as_a_folder_and_a_missing_folder_is_an_error_and_not_created()
    {
        string folderAsFile = _folder.File("approvals.json");
        Directory.CreateDirectory(folderAsFile);
        string missing = Path.Combine(_folder.File("missing"), "approvals.json");

        CliResult list = await CliRun.RunAsync("approvals", "list", "--approvals", folderAsFile);
        CliResult forget = await CliRun.RunAsync("approvals", "forget", "ems.example.test", "--approvals", missing);

        Assert.True(list.ExitCode == 1, list.ToString());
        Assert.Contains("is a folder, not a file", list.Error, StringComparison.Ordinal);
        Assert.True(forget.ExitCode == 1, forget.ToString());
        Assert.Contains("does not exist", forget.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public async Task List_of_a_missing_file_says_the_file_does_not_exist_and_forget_creates_nothing()
    {
        string file = _folder.File("approvals.json");

        CliResult list = await CliRun.RunAsync("approvals", "list", "--approvals", file);
        CliResult forget = await CliRun.RunAsync("approvals", "forget", "ems.example.test", "--approvals", file);

        Assert.Contains("does not exist", list.Output, StringComparison.Ordinal);
        Assert.Contains("does not exist: nothing to forget", forget.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(file)!));
    }

    [Fact]
    public async Task Every_line_of_the_list_fits_80_columns_and_holds_each_fingerprint_whole()
    {
        string file = _folder.File("approvals.json");
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("a-rather-long-management-server-name.example.test", 65000), _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot | CertificateProblemKinds.NameMismatch | CertificateProblemKinds.Expired, ApprovedAt, "CN=ems"));

        CliResult result = await CliRun.RunAsync("approvals", "list", "--approvals", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        // Every line but the one naming the file (a path as long as the folder's) fits 80 columns.
        Assert.All(result.Output.Split('\n').Where(l => !l.Contains(file, StringComparison.Ordinal)), line => Assert.True(line.Length <= 80, line));
        Assert.Contains(result.Output.Split('\n'), line => line.Trim().EndsWith(_chain.LeafSha256, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forget_as_root_keeps_another_accounts_owner_group_and_mode()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Assert.Skip("Needs root on Linux: only root can give a file to another account.");
            return;
        }

        string file = _folder.File("approvals.json");
        await SaveAsync(file, new CertificateApproval(ServerIdentity.Create("ems.example.test"), _chain.LeafFingerprint, CertificateProblemKinds.UntrustedRoot, ApprovedAt));
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534:65534", file]))
        {
            Assert.True(chown.WaitForExit(10_000) && chown.ExitCode == 0);
        }

        UnixFileMode mode0640 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(file, mode0640);

        CliResult result = await CliRun.RunAsync("approvals", "forget", "ems.example.test", "--sha256", string.Join(':', _chain.LeafSha256.ToLowerInvariant().Chunk(2).Select(c => new string(c))), "--approvals", file);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(_chain.LeafSha256, result.Output, StringComparison.Ordinal);
        Assert.Equal(mode0640, File.GetUnixFileMode(file));
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u:%g", file]) { RedirectStandardOutput = true })!;
        string owner = (await stat.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)).Trim();
        Assert.True(stat.WaitForExit(10_000));
        Assert.Equal("65534:65534", owner);
    }

    private static async Task SaveAsync(string file, CertificateApproval approval) =>
        await new FileApprovalStore(file).SaveAsync(approval, TestContext.Current.CancellationToken);
}
