using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Certificates;

/// <summary>Bad bytes never throw: the parser says why, the validator reports MalformedCertificate.</summary>
public sealed class MalformedInputTests
{
    private static readonly X509Certificate2 Root = TestPki.Issue(null, TestPki.CaSpec("CN=Malformed Root"));
    private static readonly X509Certificate2 Leaf = TestPki.Issue(Root, TestPki.LeafSpec("malformed.example.test"));

    public static TheoryData<string, byte[]> Garbage => new()
    {
        { "empty", [] },
        { "one byte", [0x30] },
        { "not a sequence", [0x04, 0x02, 0x01, 0x02] },
        { "indefinite length (BER)", [0x30, 0x80, 0x00, 0x00] },
        { "length beyond the end", [0x30, 0x82, 0xFF, 0xFF, 0x00] },
        { "empty sequence", [0x30, 0x00] },
        { "text", "-----BEGIN CERTIFICATE-----"u8.ToArray() },
        { "trailing data", [.. Leaf.RawData, 0x00] },
        { "truncated by half", Leaf.RawData[..(Leaf.RawData.Length / 2)] },
        { "truncated by one", Leaf.RawData[..^1] },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void Garbage_does_not_parse(string description, byte[] der)
    {
        Assert.False(ParsedCertificate.TryParse(der, out _, out string? error), description);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [MemberData(nameof(Garbage))]
    public void A_garbage_leaf_is_reported_as_malformed(string description, byte[] der)
    {
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([Root]), ExpectedSubject = "x" });

        ValidationReport report = validator.Validate([der], ServerIdentity.Create("malformed.example.test"));

        Assert.False(report.IsValid, description);
        CertificateProblem problem = Assert.Single(report.Modern.Problems);
        Assert.Equal(CertificateProblemKinds.MalformedCertificate, problem.Kind);
        Assert.Equal(0, problem.ChainPosition);
        Assert.Null(report.Certificate);
        Assert.Empty(report.Path);
        Assert.False(report.Legacy!.IsValid);
    }

    [Fact]
    public void Every_truncation_of_a_certificate_is_refused_without_throwing()
    {
        byte[] der = Leaf.RawData;
        for (int length = 0; length < der.Length; length++)
        {
            Assert.False(ParsedCertificate.TryParse(der.AsMemory(0, length), out _, out _), $"a prefix of {length} bytes parsed");
        }
    }

    [Fact]
    public void Flipped_bits_never_make_the_validator_throw()
    {
        // Deterministic corruption: every 7th bit position across the certificate, one at a time (bounded count).
        CertificateValidator validator = new(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([Root]) });
        byte[] original = Leaf.RawData;
        int checkedCount = 0;
        for (int bit = 0; bit < original.Length * 8 && checkedCount < 400; bit += 7, checkedCount++)
        {
            byte[] corrupted = (byte[])original.Clone();
            corrupted[bit / 8] ^= (byte)(1 << (bit % 8));

            ValidationReport report = validator.Validate([corrupted, Root.RawData], ServerIdentity.Create("malformed.example.test"));

            Assert.False(report.IsValid, $"bit {bit} flipped still validates");
        }

        Assert.True(checkedCount > 100);
    }

    [Fact]
    public void Random_bytes_never_make_the_validator_throw()
    {
        var random = new Random(20260601);
        CertificateValidator validator = new(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([Root]) });
        for (int i = 0; i < 300; i++)
        {
            byte[] noise = new byte[random.Next(0, 600)];
            random.NextBytes(noise);
            if (noise.Length > 4)
            {
                noise[0] = 0x30;
                noise[1] = 0x82;
            }

            ValidationReport report = validator.Validate([noise, noise], ServerIdentity.Create("malformed.example.test"));

            Assert.Equal(CertificateProblemKinds.MalformedCertificate, report.Modern.Kinds);
        }
    }
}
