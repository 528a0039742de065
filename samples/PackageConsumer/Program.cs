// Proves the CertPolicy package works for a project that references it: generates a root and a server
// certificate, trusts only that root, and checks two verdicts. Exit code 0 when both are as expected,
// 1 when a verdict is wrong, 2 when the library throws.
using System.Reflection;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy;

const string ServerName = "ems.example.com";
const string WrongName = "elsewhere.example.com";

string? libraryVersion = typeof(CertificateValidator).Assembly
    .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
Console.WriteLine($"CertPolicy {libraryVersion} from {typeof(CertificateValidator).Assembly.Location}");

DateTimeOffset now = TimeProvider.System.GetUtcNow();
using X509Certificate2 root = TestCertificates.CreateRoot("CN=PackageConsumer Root", now);
using X509Certificate2 leaf = TestCertificates.CreateServer(root, $"CN={ServerName}", ServerName, now);

var validator = new CertificateValidator(
    new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([root]) },
    TimeProvider.System);

int failures = 0;
try
{
    failures += Expect(
        $"{ServerName} with its own certificate",
        validator.Validate(leaf, intermediates: null, ServerIdentity.Create(ServerName, 443)),
        expectValid: true,
        expectedKind: CertificateProblemKinds.None);

    failures += Expect(
        $"{WrongName} with {ServerName}'s certificate",
        validator.Validate(leaf, intermediates: null, ServerIdentity.Create(WrongName, 443)),
        expectValid: false,
        expectedKind: CertificateProblemKinds.NameMismatch);
}
#pragma warning disable CA1031 // Any exception is a failure of the package under test: report it and exit non-zero.
catch (Exception e)
#pragma warning restore CA1031
{
    Console.Error.WriteLine($"FAIL: CertPolicy threw {e.GetType().Name}: {e.Message}");
    return 2;
}

Console.WriteLine(failures == 0 ? "PackageConsumer: every verdict as expected" : $"PackageConsumer: {failures} verdict(s) wrong");
return failures == 0 ? 0 : 1;

static int Expect(string scenario, ValidationReport report, bool expectValid, CertificateProblemKinds expectedKind)
{
    bool asExpected = report.IsValid == expectValid && (expectedKind == CertificateProblemKinds.None || report.Verdict.Kinds.HasFlag(expectedKind));
    Console.WriteLine($"{(asExpected ? "ok  " : "FAIL")} {scenario}: {(report.IsValid ? "valid" : "invalid")}{(report.IsValid ? string.Empty : $" ({report.Verdict.Kinds})")}");
    foreach (CertificateProblem problem in report.Verdict.Problems)
    {
        Console.WriteLine($"       {problem}");
    }

    if (!asExpected)
    {
        Console.WriteLine($"       expected {(expectValid ? "valid" : $"invalid with {expectedKind}")}");
    }

    return asExpected ? 0 : 1;
}

/// <summary>Generates a small PKI with the platform's <see cref="CertificateRequest"/>, valid around now.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 CreateRoot(string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    public static X509Certificate2 CreateServer(X509Certificate2 issuer, string subject, string dnsName, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "serverAuth")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        return request.Create(issuer, now.AddHours(-1), now.AddDays(7), serial);
    }
}
