using System.Security.Cryptography;

using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Approvals;

public sealed class CertificateFingerprintTests
{
    private static readonly string Upper = Convert.ToHexString(SHA256.HashData("a certificate"u8));

    [Fact]
    public void Every_accepted_spelling_reads_as_the_same_fingerprint_and_writes_one_canonical_form()
    {
        string colons = string.Join(':', Enumerable.Range(0, 32).Select(i => Upper.Substring(i * 2, 2)));
        string spaces = string.Join(' ', Enumerable.Range(0, 32).Select(i => Upper.Substring(i * 2, 2)));
        CertificateFingerprint expected = CertificateFingerprint.Parse(Upper);

        foreach (string text in new[] { Upper, Upper.ToLowerInvariant(), colons, colons.ToLowerInvariant(), spaces, $" {Upper} " })
        {
            Assert.True(CertificateFingerprint.TryParse(text, out CertificateFingerprint parsed), text);
            Assert.Equal(expected, parsed);
            Assert.True(parsed == expected);
            Assert.Equal(expected.GetHashCode(), parsed.GetHashCode());
            Assert.Equal(Upper, parsed.ToString());
        }
    }

    [Fact]
    public void Compute_is_the_sha256_of_the_bytes()
    {
        byte[] der = [0x30, 0x03, 0x02, 0x01, 0x05];
        Assert.Equal(Convert.ToHexString(SHA256.HashData(der)), CertificateFingerprint.Compute(der).ToString());
        Assert.NotEqual(CertificateFingerprint.Compute(der), CertificateFingerprint.Compute([0x30, 0x00]));
    }

    [Theory]
    [InlineData("", "it has 0 hexadecimal digits")]
    [InlineData("ABC", "it has 3 hexadecimal digits")]
    [InlineData("G", "position 1 is not a hexadecimal digit")]
    public void Text_that_is_not_a_fingerprint_fails_with_the_reason(string text, string reason)
    {
        FormatException error = Assert.Throws<FormatException>(() => CertificateFingerprint.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Contains("64 hexadecimal digits", error.Message, StringComparison.Ordinal);
        Assert.False(CertificateFingerprint.TryParse(text, out _));
    }

    [Fact]
    public void Too_many_digits_a_dash_null_and_default_are_refused()
    {
        Assert.False(CertificateFingerprint.TryParse(Upper + "00", out _));
        Assert.False(CertificateFingerprint.TryParse(Upper[..62] + "-0", out _));
        Assert.False(CertificateFingerprint.TryParse(null, out _));
        Assert.Throws<ArgumentNullException>(() => CertificateFingerprint.Parse(null!));
        Assert.Throws<ArgumentException>(() => new CertificateApproval(ServerIdentity.Create("ems.example.test"), default, CertificateProblemKinds.Expired, TestPki.Now));
    }
}
