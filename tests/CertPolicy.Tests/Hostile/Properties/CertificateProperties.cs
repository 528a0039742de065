using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Hostile.Properties;

/// <summary>Name matching through real certificates and the validator, on a smaller sample (each case issues a certificate).</summary>
public sealed class CertificateProperties
{
    private static readonly Lazy<(X509Certificate2 Root, X509Certificate2 Issuer)> Pki = new(() =>
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Property Root"));
        return (root, TestPki.Issue(root, TestPki.CaSpec("CN=Property Issuer", pathLength: 0)));
    });

    private static readonly Gen<string> Label = Gen.Select(
        Gen.Char["abcdefghijklmnopqrstuvwxyz"],
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[0, 6],
        (first, rest) => first + new string(rest));

    [Fact]
    public void The_validator_finds_a_name_mismatch_exactly_when_no_entry_names_the_host()
    {
        (X509Certificate2 root, X509Certificate2 issuer) = Pki.Value;
        var validator = new CertificateValidator(
            new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([root]) },
            new FakeTimeProvider(TestPki.Now));

        // Hosts and entries from a small alphabet of labels under one parent, so that hits and misses both occur often.
        Gen<string> name = Gen.Select(Gen.OneOf("a", "b", "ab", "*").Array[1, 2], labels => string.Join('.', labels) + ".example.test");
        Gen.Select(Label, name.Array[1, 5], Gen.OneOf("a", "b", "ab").Array[1, 2])
            .Sample(
                (_, entries, hostLabels) =>
                {
                    string host = string.Join('.', hostLabels) + ".example.test";
                    using X509Certificate2 leaf = TestPki.Issue(issuer, TestPki.LeafSpec([.. entries]) with { Subject = "CN=property leaf" });
                    bool named = entries.Any(e => Names(e, host));

                    ValidationReport report = validator.Validate(TestPki.Der(leaf, issuer), ServerIdentity.Create(host));

                    Assert.True(
                        named == report.IsValid,
                        $"{host} against [{string.Join(", ", entries)}]: expected {(named ? "valid" : "a name mismatch")}, got {string.Join(" | ", report.Modern.Problems)}");
                    if (!named)
                    {
                        Assert.Equal(CertificateProblemKinds.NameMismatch, report.Modern.Kinds);
                    }
                },
                iter: 60,
                threads: 1);
    }

    /// <summary>The reference rule, written independently of the library: exact, or a whole left-most "*" for exactly one label.</summary>
    private static bool Names(string entry, string host)
    {
        if (!entry.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(entry, host, StringComparison.OrdinalIgnoreCase);
        }

        if (!entry.StartsWith("*.", StringComparison.Ordinal) || entry.IndexOf('*', 1) >= 0)
        {
            return false;
        }

        int dot = host.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && string.Equals(host[(dot + 1)..], entry[2..], StringComparison.OrdinalIgnoreCase);
    }
}
