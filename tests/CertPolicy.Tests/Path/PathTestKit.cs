using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.PathBuilding;

/// <summary>Validators and chains for the path tests: a root, an intermediate and a leaf for server.example.test.</summary>
internal static class PathTestKit
{
    public const string Host = "server.example.test";

    public static CertificateValidator Validator(IEnumerable<X509Certificate2> anchors, Action<CertificateValidatorOptions>? configure = null, DateTimeOffset? now = null)
    {
        var options = new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates(anchors) };
        configure?.Invoke(options);
        return new CertificateValidator(options, new FakeTimeProvider(now ?? TestPki.Now));
    }

    public static ValidationReport Validate(this CertificateValidator validator, params X509Certificate2[] peer) =>
        validator.Validate(TestPki.Der(peer), ServerIdentity.Create(Host));

    /// <summary>Validates the peer against a store holding only <paramref name="anchor"/>.</summary>
    public static ValidationReport ValidateWith(X509Certificate2 anchor, params X509Certificate2[] peer) =>
        Validator([anchor]).Validate(peer);

    /// <summary>The kinds of the modern verdict, for compact assertions.</summary>
    public static CertificateProblemKinds Kinds(this ValidationReport report) => report.Modern.Kinds;

    /// <summary>The problems of a kind, for assertions on position and message.</summary>
    public static IEnumerable<CertificateProblem> Of(this ValidationReport report, CertificateProblemKinds kind) =>
        report.Modern.Problems.Where(p => p.Kind == kind);

    public static void AssertValid(ValidationReport report) =>
        Assert.True(report.IsValid, string.Join(Environment.NewLine, report.Modern.Problems));

    public static void AssertOnly(ValidationReport report, CertificateProblemKinds kinds)
    {
        Assert.False(report.IsValid);
        Assert.True(report.Kinds() == kinds, $"Expected {kinds}, got: {string.Join(" | ", report.Modern.Problems)}");
    }

    /// <summary>A root, an intermediate below it and a leaf for <see cref="Host"/> below that.</summary>
    public sealed class Chain
    {
        public Chain(TestKeyKind key = TestKeyKind.EcdsaP256)
        {
            Root = TestPki.Issue(null, TestPki.CaSpec("CN=Kit Root") with { Key = key });
            Intermediate = TestPki.Issue(Root, TestPki.CaSpec("CN=Kit Intermediate", pathLength: 0) with { Key = key });
            Leaf = TestPki.Issue(Intermediate, TestPki.LeafSpec(Host) with { Key = key });
        }

        public X509Certificate2 Root { get; }

        public X509Certificate2 Intermediate { get; }

        public X509Certificate2 Leaf { get; }
    }
}
