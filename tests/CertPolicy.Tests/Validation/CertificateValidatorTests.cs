using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Validation;

public sealed class CertificateValidatorTests
{
    private const string Host = "server.example.test";

    private static readonly X509Certificate2 Root = TestPki.CreateRoot("Validator Root");
    private static readonly X509Certificate2 Intermediate = TestPki.CreateIntermediate(Root, "Validator Intermediate");
    private static readonly X509Certificate2 Leaf = TestPki.CreateLeaf(Intermediate, [Host], [IPAddress.Parse("192.0.2.10")]);

    private static CertificateValidator Validator(Action<CertificateValidatorOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([Root]) };
        configure?.Invoke(options);
        return new CertificateValidator(options, time ?? new FakeTimeProvider(TestPki.Now));
    }

    [Fact]
    public void A_good_chain_for_the_expected_host_is_valid_and_summarised()
    {
        ValidationReport report = Validator().Validate(Leaf, [Intermediate], ServerIdentity.Create(Host, 8443));

        Assert.True(report.IsValid, string.Join(" | ", report.Modern.Problems));
        Assert.Same(report.Modern, report.Verdict);
        Assert.Null(report.Legacy);
        Assert.Equal(ValidationMode.Modern, report.Mode);
        Assert.Equal(ServerIdentity.Create(Host, 8443), report.Identity);
        Assert.Equal(TestPki.Now, report.ValidatedAt);

        CertificateSummary summary = report.Certificate!;
        Assert.Equal(Leaf.Subject, summary.Subject);
        Assert.Equal(Leaf.Issuer, summary.Issuer);
        Assert.Equal(Leaf.SerialNumber, summary.SerialNumber);
        Assert.Equal(Leaf.GetCertHashString(HashAlgorithmName.SHA256), summary.Sha256Fingerprint);
        Assert.Equal(Leaf.NotBefore.ToUniversalTime(), summary.NotBefore.UtcDateTime);
        Assert.Equal(Leaf.NotAfter.ToUniversalTime(), summary.NotAfter.UtcDateTime);
        Assert.Equal([Host], summary.DnsNames);
        Assert.Equal(["192.0.2.10"], summary.IPAddresses);
        Assert.Equal([Leaf.Subject, Intermediate.Subject, Root.Subject], report.Path.Select(p => p.Subject));
    }

    [Fact]
    public void An_ip_address_identity_matches_an_ip_address_entry()
    {
        ValidationReport report = Validator().Validate(Leaf, [Intermediate], ServerIdentity.Create("192.0.2.10"));
        Assert.True(report.IsValid, string.Join(" | ", report.Modern.Problems));
    }

    [Fact]
    public void Another_host_is_a_name_mismatch_at_the_leaf()
    {
        ValidationReport report = Validator().Validate(Leaf, [Intermediate], ServerIdentity.Create("other.example.test"));

        CertificateProblem problem = Assert.Single(report.Modern.Problems);
        Assert.Equal(CertificateProblemKinds.NameMismatch, problem.Kind);
        Assert.Equal(0, problem.ChainPosition);
        Assert.Equal(Leaf.Subject, problem.Subject);
    }

    [Fact]
    public void The_common_name_is_never_used_as_an_identity()
    {
        using X509Certificate2 noSan = TestPki.CreateLeaf(Intermediate, [Host], includeSan: false);

        ValidationReport report = Validator().Validate(noSan, [Intermediate], ServerIdentity.Create(Host));

        Assert.Equal(CertificateProblemKinds.NameMismatch, report.Modern.Kinds);
        Assert.Contains("common name is never used", report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_certificate_is_reported_as_such()
    {
        ValidationReport report = Validator(o => o.ExpectedSubject = Host).Validate([], ServerIdentity.Create(Host));

        Assert.Equal(CertificateProblemKinds.NoCertificate, report.Modern.Kinds);
        Assert.Equal(CertificateProblemKinds.NoCertificate, report.Legacy!.Kinds);
        Assert.Null(report.Certificate);
        Assert.Empty(report.Path);
    }

    [Fact]
    public void The_legacy_verdict_is_reported_beside_the_modern_one()
    {
        using X509Certificate2 legacyLeaf = TestPki.CreateLeaf(Intermediate, ["other.example.test"], commonName: "EMS-SERVER");

        ValidationReport report = Validator(o => o.ExpectedSubject = "ems-server").Validate(legacyLeaf, [Intermediate], ServerIdentity.Create(Host));

        Assert.False(report.IsValid);
        Assert.Equal(CertificateProblemKinds.NameMismatch, report.Modern.Kinds);
        Assert.True(report.Legacy!.IsValid);
    }

    [Fact]
    public void In_legacy_mode_the_legacy_verdict_decides()
    {
        using X509Certificate2 legacyLeaf = TestPki.CreateLeaf(Intermediate, ["other.example.test"], commonName: "EMS-SERVER", notAfter: TestPki.Now.AddDays(-1));
        CertificateValidator validator = Validator(o =>
        {
            o.Mode = ValidationMode.Legacy;
            o.ExpectedSubject = "EMS-SERVER";
        });

        ValidationReport report = validator.Validate(legacyLeaf, [Intermediate], ServerIdentity.Create(Host));

        Assert.True(report.IsValid);
        Assert.Same(report.Legacy, report.Verdict);
        Assert.Equal(CertificateProblemKinds.NameMismatch | CertificateProblemKinds.Expired, report.Modern.Kinds);
    }

    [Fact]
    public void Legacy_mode_still_fails_when_the_subject_differs()
    {
        CertificateValidator validator = Validator(o =>
        {
            o.Mode = ValidationMode.Legacy;
            o.ExpectedSubject = "someone-else";
        });

        ValidationReport report = validator.Validate(Leaf, [Intermediate], ServerIdentity.Create(Host));

        Assert.False(report.IsValid);
        Assert.True(report.Modern.IsValid);
        Assert.Equal(CertificateProblemKinds.SubjectMismatch, report.Verdict.Kinds);
    }

    [Fact]
    public void Validation_without_identity_checks_everything_else_and_reports_no_identity()
    {
        ValidationReport valid = Validator().ValidateWithoutIdentity(TestPki.Der(Leaf, Intermediate));
        ValidationReport expired = Validator(time: new FakeTimeProvider(TestPki.DefaultNotAfter.AddDays(1))).ValidateWithoutIdentity(TestPki.Der(Leaf, Intermediate));

        Assert.True(valid.IsValid, string.Join(" | ", valid.Modern.Problems));
        Assert.Null(valid.Identity);
        Assert.True(expired.Modern.Kinds.HasFlag(CertificateProblemKinds.Expired));
    }

    [Fact]
    public void Client_certificates_are_checked_for_client_authentication()
    {
        using X509Certificate2 client = TestPki.CreateLeaf(Intermediate, ["device.example.test"], serverAuth: false);
        CertificateValidator forClients = Validator(o => o.RequiredExtendedKeyUsage = CertificateValidatorOptions.ClientAuthenticationOid);

        ValidationReport report = forClients.ValidateWithoutIdentity(TestPki.Der(client, Intermediate));

        Assert.Equal(CertificateProblemKinds.MissingExtendedKeyUsage, report.Modern.Kinds);
    }

    [Fact]
    public void The_validation_time_comes_from_the_time_provider()
    {
        var clock = new FakeTimeProvider(TestPki.Now);
        CertificateValidator validator = Validator(time: clock);

        Assert.True(validator.Validate(Leaf, [Intermediate], ServerIdentity.Create(Host)).IsValid);
        clock.SetUtcNow(TestPki.DefaultNotAfter.AddSeconds(1));
        ValidationReport later = validator.Validate(Leaf, [Intermediate], ServerIdentity.Create(Host));

        Assert.Equal(TestPki.DefaultNotAfter.AddSeconds(1), later.ValidatedAt);
        Assert.Equal([0, 1, 2], later.Modern.Problems.Where(p => p.Kind == CertificateProblemKinds.Expired).Select(p => p.ChainPosition));
    }

    [Fact]
    public void Options_changed_after_creation_do_not_affect_the_validator()
    {
        var options = new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([Root]) };
        var validator = new CertificateValidator(options, new FakeTimeProvider(TestPki.Now));
        options.RequiredExtendedKeyUsage = CertificateValidatorOptions.ClientAuthenticationOid;
        options.MaxChainDepth = 0;
        options.RevocationLists.Add(new byte[] { 1, 2, 3 });

        Assert.True(validator.Validate(Leaf, [Intermediate], ServerIdentity.Create(Host)).IsValid);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        CertificateValidator validator = Validator();

        Assert.Throws<ArgumentNullException>(() => new CertificateValidator(null!));
        Assert.Throws<ArgumentNullException>(() => validator.Validate((IReadOnlyList<ReadOnlyMemory<byte>>)null!, ServerIdentity.Create(Host)));
        Assert.Throws<ArgumentNullException>(() => validator.Validate(TestPki.Der(Leaf), null!));
        Assert.Throws<ArgumentNullException>(() => validator.ValidateWithoutIdentity(null!));
        Assert.Throws<ArgumentNullException>(() => validator.Validate(null!, null, ServerIdentity.Create(Host)));
    }

    [Fact]
    public void One_validator_serves_many_threads()
    {
        CertificateValidator validator = Validator();
        ReadOnlyMemory<byte>[] good = TestPki.Der(Leaf, Intermediate);
        ReadOnlyMemory<byte>[] partial = TestPki.Der(Leaf);
        int failures = 0;

        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            ValidationReport report = validator.Validate(i % 2 == 0 ? good : partial, ServerIdentity.Create(Host));
            if (report.IsValid != (i % 2 == 0))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Anchors_are_indexed_once_per_snapshot()
    {
        var snapshot = new TrustAnchors([Root.RawData]);
        var store = new CountingStore(snapshot);
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = store }, new FakeTimeProvider(TestPki.Now));

        validator.Validate(Leaf, [Intermediate], ServerIdentity.Create(Host));
        object? index = snapshot.PathBuilderIndex;
        validator.Validate(Leaf, [Intermediate], ServerIdentity.Create(Host));

        Assert.NotNull(index);
        Assert.Same(index, snapshot.PathBuilderIndex);
        Assert.Equal(2, store.Calls);
    }

    private sealed class CountingStore(TrustAnchors anchors) : TrustStore
    {
        public int Calls { get; private set; }

        public override TrustAnchors GetAnchors()
        {
            Calls++;
            return anchors;
        }
    }
}
