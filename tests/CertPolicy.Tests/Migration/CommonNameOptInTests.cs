using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Handshake;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Migration;

/// <summary>
/// The CN-only opt-in (issue 17, <see cref="CertificateValidatorOptions.AcceptCommonNameWithoutSubjectAltName"/>):
/// a DNS name found only in the subject common name of a certificate without subjectAltName connects, with the notice
/// <see cref="CertificateProblemKinds.NameOnlyInCommonName"/>; never an IP address, a wildcard, a certificate with
/// any subjectAltName, or without the opt-in. Handshakes are real TLS 1.3 on loopback.
/// </summary>
public sealed class CommonNameOptInTests
{
    private static readonly Lazy<X509Certificate2> CommonNameOnly = new(() => TestPki.CreateLeaf(HandshakePki.Root, [], commonName: HandshakePki.Host, includeSan: false));

    private static ServerIdentity Identity(LoopbackTlsServer server, string host = HandshakePki.Host) => ServerIdentity.Create(host, server.Port);

    private static void OptIn(CertificateValidatorOptions options) => options.AcceptCommonNameWithoutSubjectAltName = true;

    [Fact]
    public async Task With_the_opt_in_a_DNS_name_only_in_the_common_name_connects_and_is_reported_as_its_own_kind()
    {
        await using var server = LoopbackTlsServer.Start(CommonNameOnly.Value);
        using var agent = new Agent(InvalidCertificateAction.Deny, configureValidator: OptIn);

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        ClientResult viaCallback = await TlsClient.ConnectWithCallbackAsync(agent.Policy, Identity(server), server.Port);

        Assert.True(result.Connected);
        Assert.True(viaCallback.Connected);
        ValidationVerdict modern = result.Decision!.Report.Modern;
        Assert.Equal(DecisionReason.Valid, result.Decision.Reason);
        Assert.True(modern.IsValid);
        Assert.Equal(CertificateProblemKinds.None, modern.Kinds);
        Assert.Equal(CertificateProblemKinds.NameOnlyInCommonName, modern.NoticeKinds);
        CertificateProblem notice = Assert.Single(modern.Notices);
        Assert.Equal(0, notice.ChainPosition);
        Assert.Contains("subject common name", notice.Message, StringComparison.Ordinal);
        Assert.Contains(agent.Logs.Collector.GetSnapshot(), r => r.Id.Id == 4401 && r.Message.Contains(HandshakePki.Host, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_opt_in_a_common_name_only_certificate_is_still_a_name_mismatch()
    {
        await using var server = LoopbackTlsServer.Start(CommonNameOnly.Value);
        using var agent = new Agent(InvalidCertificateAction.Deny);

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.False(result.Connected);
        Assert.Equal(CertificateProblemKinds.NameMismatch, result.Decision!.Report.Modern.Kinds);
        Assert.Empty(result.Decision.Report.Modern.Notices);
        Assert.Contains("the subject common name is never used", result.Decision.Report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> Refused => new()
    {
        { "ip", "127.0.0.1", "never an IP address" },
        { "wildcard", HandshakePki.Host, "wildcard" },
        { "san", HandshakePki.Host, "none of its DNS names matches" },
        { "other-name", HandshakePki.Host, "is not" },
        { "not-a-dns-name", HandshakePki.Host, "not accepted as a DNS name" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Even_with_the_opt_in_the_common_name_is_refused_for(string kind, string host, string reason)
    {
        X509Certificate2 certificate = kind switch
        {
            "ip" => HandshakePki.LoopbackIPInCommonNameOnly,
            "wildcard" => TestPki.CreateLeaf(HandshakePki.Root, [], commonName: "*.example.test", includeSan: false),
            "san" => TestPki.CreateLeaf(HandshakePki.Root, ["other.example.test"], commonName: HandshakePki.Host),
            "other-name" => TestPki.CreateLeaf(HandshakePki.Root, [], commonName: "other.example.test", includeSan: false),
            _ => TestPki.CreateLeaf(HandshakePki.Root, [], commonName: "EMS Default Certificate", includeSan: false),
        };
        await using var server = LoopbackTlsServer.Start(certificate);
        using var agent = new Agent(InvalidCertificateAction.Deny, configureValidator: OptIn);

        ClientResult result = await TlsClient.ConnectAsync(agent.Policy, Identity(server, host), server.Port);

        Assert.False(result.Connected);
        ValidationVerdict modern = result.Decision!.Report.Modern;
        Assert.Equal(CertificateProblemKinds.NameMismatch, modern.Kinds);
        Assert.Equal(CertificateProblemKinds.None, modern.NoticeKinds);
        Assert.Contains(reason, Assert.Single(modern.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_notice_never_makes_an_invalid_certificate_valid()
    {
        X509Certificate2 expired = TestPki.CreateLeaf(HandshakePki.Root, [], commonName: HandshakePki.Host, includeSan: false, notAfter: HandshakePki.ExpiredOn);
        var validator = new CertificateValidator(
            new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([HandshakePki.Root]), AcceptCommonNameWithoutSubjectAltName = true },
            new FakeTimeProvider(TestPki.Now));

        ValidationReport report = validator.Validate(expired, null, ServerIdentity.Create(HandshakePki.Host));

        Assert.False(report.IsValid);
        Assert.Equal(CertificateProblemKinds.Expired, report.Modern.Kinds);
        Assert.Equal(CertificateProblemKinds.NameOnlyInCommonName, report.Modern.NoticeKinds);
    }

    [Fact]
    public void Under_an_issuer_with_name_constraints_the_common_name_is_never_accepted()
    {
        // The constraints permit only corp.example.test: a subjectAltName for ems.example.test would violate them, so a
        // common name must not be a way round them.
        X509Certificate2 intermediate = TestPki.Issue(
            HandshakePki.Root,
            TestPki.CaSpec("CN=Constrained Intermediate") with { Extensions = [TestPki.NameConstraints([TestPki.DnsName("corp.example.test")], null)] });
        X509Certificate2 leaf = TestPki.Issue(intermediate, TestPki.LeafSpec() with { Subject = $"CN={HandshakePki.Host}" });
        var validator = new CertificateValidator(
            new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([HandshakePki.Root]), AcceptCommonNameWithoutSubjectAltName = true },
            new FakeTimeProvider(TestPki.Now));

        ValidationReport report = validator.Validate(TestPki.Der(leaf, intermediate), ServerIdentity.Create(HandshakePki.Host));

        Assert.False(report.IsValid);
        Assert.Equal(CertificateProblemKinds.NameMismatch, report.Modern.Kinds);
        Assert.Empty(report.Modern.Notices);
        Assert.Contains("name constraints", report.Modern.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kind_is_a_notice_only_it_can_never_be_a_problem_nor_a_problem_a_notice()
    {
        var asProblem = new CertificateProblem(CertificateProblemKinds.NameOnlyInCommonName, 0, null, "named only in the CN");

        Assert.Throws<ArgumentException>(() => new ValidationVerdict([asProblem]));
        Assert.Throws<ArgumentException>(() => new ValidationVerdict([], [new CertificateProblem(CertificateProblemKinds.Expired, 0, null, "expired")]));
        Assert.True(new ValidationVerdict([], [asProblem]).IsValid);
    }

    public static TheoryData<string, string, bool> Table => new()
    {
        { "ems.example.test", "ems.example.test", true },
        { "EMS.Example.TEST", "ems.example.test", true },
        { "xn--bcher-kva.example", "bücher.example", true },
        { "ems.example.test", "other.example.test", false },
        { "ems.example.test.", "ems.example.test", false },
        { "*.example.test", "ems.example.test", false },
        { "e*.example.test", "ems.example.test", false },
        { "bücher.example", "bücher.example", false },
        { "EMS Default Certificate", "ems.example.test", false },
        { "127.0.0.1", "127.0.0.1", false },
        { "127.0.0.1", "ems.example.test", false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_presented_versus_reference_table(string commonName, string reference, bool accepted)
    {
        Assert.Equal(accepted, CommonNameIdentity.Accepts(ServerIdentity.Create(reference), [commonName], out string reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }

    [Fact]
    public void Several_common_names_or_none_are_never_accepted()
    {
        Assert.False(CommonNameIdentity.Accepts(ServerIdentity.Create(HandshakePki.Host), [HandshakePki.Host, "other.example.test"], out string several));
        Assert.False(CommonNameIdentity.Accepts(ServerIdentity.Create(HandshakePki.Host), [], out string none));
        Assert.Contains("ambiguous", several, StringComparison.Ordinal);
        Assert.Contains("no common name", none, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_only_agent_counts_connections_that_rely_on_the_common_name()
    {
        X509Certificate2 expired = TestPki.CreateLeaf(HandshakePki.Root, [], commonName: HandshakePki.Host, includeSan: false, notAfter: HandshakePki.ExpiredOn);
        await using var server = LoopbackTlsServer.Start(CommonNameOnly.Value);
        using var agent = new Agent(InvalidCertificateAction.Deny, mode: ValidationMode.ReportOnly, expectedSubject: HandshakePki.Host, configureValidator: OptIn);

        ClientResult relies = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);
        server.Present(expired);
        ClientResult reliesAndExpired = await TlsClient.ConnectAsync(agent.Policy, Identity(server), server.Port);

        Assert.True(relies.Connected);
        Assert.True(reliesAndExpired.Connected);
        Assert.Equal(MigrationOutcome.Connect, relies.Decision!.MigrationPreview!.Outcome);
        Assert.Contains("name only in common name", relies.Decision.MigrationPreview.Message, StringComparison.Ordinal);
        Assert.Equal(MigrationOutcome.Refuse, reliesAndExpired.Decision!.MigrationPreview!.Outcome);
        IReadOnlyList<CollectedMeasurement<long>> counted = agent.Migration.GetMeasurementSnapshot();
        Assert.Equal(["name_only_in_common_name", "expired,name_only_in_common_name"], counted.Select(m => m.Tags["certpolicy.problems"] as string));
        Assert.Equal(["connect", "refuse"], counted.Select(m => m.Tags["certpolicy.would"] as string));
    }

    [Fact]
    public void An_IP_reference_with_the_opt_in_is_never_matched_against_the_common_name()
    {
        Assert.False(CommonNameIdentity.Accepts(ServerIdentity.Create(IPAddress.Loopback.ToString()), ["127.0.0.1"], out string reason));
        Assert.Contains("never an IP address", reason, StringComparison.Ordinal);
    }
}
