using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Cli.Certificates;

/// <summary>
/// A summary of a certificate as .NET decodes it, shown only when CertPolicy's own report has none (its stricter
/// decoder refused the certificate): the person still sees which certificate it was. Never used for a verdict.
/// </summary>
internal static class CertificateFacts
{
    /// <summary>The summary, or null when .NET cannot decode the certificate either.</summary>
    public static CertificateSummary? TryDescribe(ReadOnlyMemory<byte> der)
    {
        try
        {
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(der.Span);
            var dnsNames = new List<string>();
            var ipAddresses = new List<string>();
            foreach (X509Extension extension in certificate.Extensions)
            {
                if (extension is X509SubjectAlternativeNameExtension san)
                {
                    dnsNames.AddRange(san.EnumerateDnsNames());
                    ipAddresses.AddRange(san.EnumerateIPAddresses().Select(static (IPAddress a) => a.ToString()));
                }
            }

            return new CertificateSummary(
                certificate.Subject,
                certificate.Issuer,
                certificate.SerialNumber,
                new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
                new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
                Convert.ToHexString(SHA256.HashData(der.Span)),
                dnsNames,
                ipAddresses);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// The one fingerprint format of every output: 64 upper-case hexadecimal digits, no separators (it fits an
    /// 80-column line and pastes into <c>approvals forget --sha256</c>, which also accepts ':' separators and lower case).
    /// </summary>
    public static string FormatFingerprint(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return hex.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
    }

    /// <summary>A time as "2026-06-01 12:00:00 UTC".</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
