using System.Text.Json;
using System.Text.Json.Serialization;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Approvals;

/// <summary>
/// The approvals file across versions, over real files: a file in today's (version 1) shape is read unchanged; a file
/// the new version writes with only certificate-scope approvals is still version 1 and passes version 1's reading rules
/// (a copy of them below); a wider scope makes it version 2, which those rules refuse, until the wider approvals are
/// forgotten.
/// </summary>
public sealed class ApprovalFileVersionTests : IDisposable
{
    private static readonly ServerIdentity Server = ServerIdentity.Create("ems.example.test", 8443);
    private static readonly CertificateFingerprint ShaA = CertificateFingerprint.Parse(new string('A', 64));
    private static readonly CertificateFingerprint ShaB = CertificateFingerprint.Parse(new string('B', 64));
    private static readonly string KeySha = new('C', 64);

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(TestPki.Now);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => _directory.File("approvals.json");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void A_file_written_in_todays_format_is_read_unchanged_and_applies_to_its_certificate()
    {
        // Exactly what version 1 wrote: indented camelCase, no member of the new version.
        string today = $$"""
            {
              "version": 1,
              "approvals": [
                {
                  "host": "ems.example.test",
                  "port": 8443,
                  "sha256": "{{ShaA}}",
                  "problems": [
                    "UntrustedRoot"
                  ],
                  "approvedAt": "2026-06-01T12:00:00+00:00",
                  "subject": "CN=ems.example.test"
                }
              ]
            }
            """;
        File.WriteAllText(FilePath, today);
        var store = new FileApprovalStore(FilePath, _time);

        CertificateApproval approval = Assert.Single(store.FindForServer(Server));

        Assert.Equal(ShaA, approval.Fingerprint);
        Assert.Equal(ApprovalScope.Certificate, approval.Scope);
        Assert.Null(approval.ApprovedBy);
        Assert.Null(approval.ReplacedAt);
        Assert.Null(approval.PublicKeySha256);
        Assert.Equal(CertificateProblemKinds.UntrustedRoot, approval.AcceptedProblems);
        Assert.Equal(today, File.ReadAllText(FilePath));
        Assert.True(ApprovalMatching.CoversCertificate(approval, Summary(ShaA), ShaA, ApprovalScope.PublicKey));
        Assert.False(ApprovalMatching.CoversCertificate(approval, Summary(ShaB), ShaB, ApprovalScope.Certificate));
    }

    [Fact]
    public async Task A_new_file_with_only_certificate_scope_approvals_is_version_1_and_readable_by_the_version_1_rules()
    {
        var store = new FileApprovalStore(FilePath, _time);
        await store.SaveAsync(Approval(ShaA, ApprovalScope.Certificate, TestPki.Now), Ct);
        await store.SaveAsync(Approval(ShaB, ApprovalScope.Certificate, TestPki.Now.AddDays(1)), Ct);

        VersionOneFile file = VersionOneRules.Read(File.ReadAllBytes(FilePath));

        Assert.Equal(1, file.Version);
        Assert.Equal([ShaA.ToString(), ShaB.ToString()], file.Approvals.Select(a => a.Sha256).Order());
        VersionOneEntry replaced = file.Approvals.Single(a => a.Sha256 == ShaA.ToString());
        Assert.Equal(["UntrustedRoot"], replaced.Problems);
        Assert.Equal("certificate", replaced.OtherMembers!["scope"].GetString());
        Assert.Equal("alice", replaced.OtherMembers["approvedBy"].GetString());
        Assert.Equal(TestPki.Now.AddDays(1), replaced.OtherMembers["replacedAt"].GetDateTimeOffset());
    }

    [Fact]
    public async Task A_wider_scope_makes_the_file_version_2_which_version_1_refuses_until_it_is_forgotten()
    {
        var store = new FileApprovalStore(FilePath, _time);
        await store.SaveAsync(Approval(ShaA, ApprovalScope.Certificate, TestPki.Now), Ct);
        await store.SaveAsync(Approval(ShaB, ApprovalScope.PublicKey, TestPki.Now.AddDays(1)), Ct);

        Assert.Equal(2, FileVersion());
        Assert.Throws<NotSupportedException>(() => VersionOneRules.Read(File.ReadAllBytes(FilePath)));
        CertificateApproval keyApproval = new FileApprovalStore(FilePath, _time).Find(Server, ShaB)!;
        Assert.Equal(ApprovalScope.PublicKey, keyApproval.Scope);
        Assert.Equal(KeySha, keyApproval.PublicKeySha256);

        Assert.True(await store.ForgetAsync(Server, ShaB, Ct));

        Assert.Equal(1, VersionOneRules.Read(File.ReadAllBytes(FilePath)).Version);
    }

    [Fact]
    public void An_issuer_scope_entry_without_its_issuer_key_is_a_damaged_file_not_a_wider_approval()
    {
        File.WriteAllText(FilePath, $$"""
            { "version": 2, "approvals": [ { "host": "ems.example.test", "port": 8443, "sha256": "{{ShaA}}", "problems": ["UntrustedRoot"],
              "approvedAt": "2026-06-01T12:00:00+00:00", "scope": "issuer" } ] }
            """);

        Assert.Throws<ApprovalStoreException>(() => FileApprovalStore.OpenReadOnly(FilePath, _time).List());
    }

    [Fact]
    public async Task A_scope_this_version_does_not_know_is_kept_and_such_an_approval_covers_nothing()
    {
        File.WriteAllText(FilePath, $$"""
            { "version": 2, "approvals": [ { "host": "ems.example.test", "port": 8443, "sha256": "{{ShaA}}", "problems": ["UntrustedRoot"],
              "approvedAt": "2026-06-01T12:00:00+00:00", "scope": "dnsName" } ] }
            """);
        var store = new FileApprovalStore(FilePath, _time);

        CertificateApproval approval = Assert.Single(store.List());
        Assert.False(ApprovalMatching.CoversCertificate(approval, Summary(ShaA), ShaA, ApprovalScope.Certificate));

        await store.SaveAsync(Approval(ShaB, ApprovalScope.Certificate, TestPki.Now), Ct);
        Assert.Contains("\"scope\": \"dnsName\"", File.ReadAllText(FilePath), StringComparison.Ordinal);
        Assert.Equal(2, FileVersion());
    }

    private int FileVersion()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(FilePath));
        return document.RootElement.GetProperty("version").GetInt32();
    }

    private static CertificateApproval Approval(CertificateFingerprint sha256, ApprovalScope scope, DateTimeOffset at) => new(
        Server, sha256, CertificateProblemKinds.UntrustedRoot, at, "CN=ems.example.test", [], new ApprovalFacts { Scope = scope, ApprovedBy = "alice", PublicKeySha256 = KeySha });

    private static CertificateSummary Summary(CertificateFingerprint sha256) =>
        new("CN=ems.example.test", "CN=ca", "01", TestPki.DefaultNotBefore, TestPki.DefaultNotAfter, sha256.ToString(), [], []) { PublicKeySha256 = KeySha };

    /// <summary>Version 1's reading rules, copied: the same model and serializer settings, and a refusal of any newer version.</summary>
    private static class VersionOneRules
    {
        private static readonly JsonSerializerOptions Options = new()
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            AllowDuplicateProperties = false,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };

        public static VersionOneFile Read(byte[] utf8)
        {
            VersionOneFile file = JsonSerializer.Deserialize<VersionOneFile>(utf8, Options)!;
            if (file.Version > 1)
            {
                throw new NotSupportedException($"Version 1 refuses version {file.Version}.");
            }

            Assert.All(file.Approvals, a => Assert.True(CertificateFingerprint.TryParse(a.Sha256, out _) && a.Problems.Count > 0 && ServerIdentity.TryCreate(a.Host, a.Port, out _, out _)));
            return file;
        }
    }

    private sealed class VersionOneFile
    {
        public required int Version { get; set; }

        public required List<VersionOneEntry> Approvals { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? OtherMembers { get; set; }
    }

    private sealed class VersionOneEntry
    {
        public required string Host { get; set; }

        public required int Port { get; set; }

        public required string Sha256 { get; set; }

        public required List<string> Problems { get; set; }

        public required DateTimeOffset ApprovedAt { get; set; }

        public string? Subject { get; set; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? OtherMembers { get; set; }
    }
}
