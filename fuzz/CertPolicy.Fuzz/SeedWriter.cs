using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CertPolicy.Tests.Support;

namespace CertPolicy.Fuzzing;

/// <summary>
/// Writes the fixed PKI (fuzz/fixtures) and the raw seed corpora with the tests' own generator
/// (<see cref="TestPki"/>) and the library's own approvals writer. fuzz/run.sh minimises the corpora with afl-cmin;
/// rerun this only to replace the fixtures, then rebuild (they are embedded) and minimise every corpus again.
/// </summary>
internal static class SeedWriter
{
    public static void Write(string fixturesDirectory, string corpusDirectory)
    {
        using X509Certificate2 root = TestPki.CreateRoot("CertPolicy Fuzz Root");
        using X509Certificate2 intermediate = TestPki.CreateIntermediate(root, "CertPolicy Fuzz Intermediate");
        using X509Certificate2 leaf = TestPki.CreateLeaf(intermediate, FuzzFixtures.LeafDnsNames, FuzzFixtures.LeafIPAddresses);
        Directory.CreateDirectory(fixturesDirectory);
        File.WriteAllBytes(Path.Combine(fixturesDirectory, FuzzFixtures.RootFile), root.RawData);
        File.WriteAllBytes(Path.Combine(fixturesDirectory, FuzzFixtures.IntermediateFile), intermediate.RawData);
        File.WriteAllBytes(Path.Combine(fixturesDirectory, FuzzFixtures.LeafFile), leaf.RawData);
        byte[] rootCrl = TestPki.CreateCrl(root);
        byte[] intermediateCrl = TestPki.CreateCrl(intermediate);
        byte[] revokingCrl = TestPki.CreateCrl(intermediate, [leaf]);
        File.WriteAllBytes(Path.Combine(fixturesDirectory, FuzzFixtures.RootCrlFile), rootCrl);
        File.WriteAllBytes(Path.Combine(fixturesDirectory, FuzzFixtures.IntermediateCrlFile), intermediateCrl);
        File.WriteAllBytes(Path.Combine(fixturesDirectory, FuzzFixtures.RevokingCrlFile), revokingCrl);

        // Other shapes the generator makes, so the fuzzer starts from more than one path through the parser. They are
        // signed by an impostor: the intermediate's name with another key, so none of them is valid (the targets'
        // contract is that only the fixed certificates and CRLs are) while each still reaches the signature checks.
        using X509Certificate2 impostor = TestPki.CreateIntermediate(root, "CertPolicy Fuzz Intermediate");
        using X509Certificate2 rsaLeaf = TestPki.CreateLeaf(impostor, [FuzzFixtures.HostName], key: TestKeyKind.Rsa2048);
        using X509Certificate2 selfSigned = TestPki.CreateSelfSignedLeaf(FuzzFixtures.HostName);
        using X509Certificate2 expired = TestPki.CreateLeaf(impostor, notAfter: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using X509Certificate2 constrained = TestPki.Issue(root, TestPki.CaSpec("CN=Constrained CA") with
        {
            Extensions = [TestPki.NameConstraints([TestPki.DnsName("example.test"), TestPki.IPSubtree("192.0.2.0/24")], [TestPki.DnsName("bad.example.test")])],
        });
        using X509Certificate2 odd = TestPki.Issue(impostor, TestPki.LeafSpec(FuzzFixtures.HostName) with
        {
            IPAddresses = [IPAddress.Parse("192.0.2.10")],
            EmailAddresses = ["ops@example.test"],
            Extensions = [TestPki.CrlDistributionPoint("http://crl.example.test/i.crl")],
        });

        string certificates = Corpus(corpusDirectory, "certificate");
        Seed(certificates, "leaf", [0, .. leaf.RawData]);
        Seed(certificates, "intermediate", [1, .. intermediate.RawData]);
        Seed(certificates, "root-as-leaf", [0, .. root.RawData]);
        Seed(certificates, "rsa-leaf", [0, .. rsaLeaf.RawData]);
        Seed(certificates, "self-signed", [0, .. selfSigned.RawData]);
        Seed(certificates, "expired", [0, .. expired.RawData]);
        Seed(certificates, "name-constrained-ca", [1, .. constrained.RawData]);
        Seed(certificates, "odd-leaf", [0, .. odd.RawData]);

        string crls = Corpus(corpusDirectory, "crl");
        Seed(crls, "intermediate", intermediateCrl);
        Seed(crls, "revoking", revokingCrl);
        Seed(crls, "root", rootCrl);
        Seed(crls, "impostor", TestPki.CreateCrl(impostor, [expired], crlNumber: 7));

        string pem = Corpus(corpusDirectory, "pem");
        string rootPem = PemEncoding.WriteString("CERTIFICATE", root.RawData);
        string intermediatePem = PemEncoding.WriteString("CERTIFICATE", intermediate.RawData);
        Seed(pem, "root", Encoding.UTF8.GetBytes(rootPem + "\n"));
        Seed(pem, "bundle-with-text-crlf", Encoding.UTF8.GetBytes(("# Fuzz roots\nSubject: root\n" + rootPem + "\nand the intermediate\n" + intermediatePem + "\n").ReplaceLineEndings("\r\n")));
        using (ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            Seed(pem, "with-key-and-crl", Encoding.UTF8.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n" + PemEncoding.WriteString("X509 CRL", rootCrl) + "\n" + rootPem + "\n"));
        }

        Seed(pem, "trusted-certificate", Encoding.UTF8.GetBytes(PemEncoding.WriteString("TRUSTED CERTIFICATE", root.RawData) + "\n"));
        Seed(pem, "bom-legacy-label", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(PemEncoding.WriteString("X509 CERTIFICATE", root.RawData) + "\n")]);
        Seed(pem, "utf16", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(rootPem + "\n")).ToArray());

        string identities = Corpus(corpusDirectory, "identity");
        string[] names =
        [
            FuzzFixtures.HostName, "SERVER.Example.TEST.", "a.wild.example.test", "a.b.wild.example.test", "bücher.example.test",
            "xn--bcher-kva.example.test:8443", "192.0.2.10", "[2001:db8::10]:443", "2001:DB8:0:0::10", "127.1", "0x7f.0.0.1",
            "fe80::1%eth0", "host_name.test", "server。example。test", "-bad.example.test", "*.wild.example.test",
        ];
        for (int i = 0; i < names.Length; i++)
        {
            Seed(identities, $"name-{i:D2}", Encoding.UTF8.GetBytes(names[i]));
        }

        WriteApprovalSeeds(Corpus(corpusDirectory, "approvals"), leaf, rsaLeaf);

        string profiles = Corpus(corpusDirectory, "profile");
        Seed(profiles, "every-setting", Encoding.UTF8.GetBytes("""
            { "CertPolicy": { "Profiles": { "Management": {
              "Mode": "Legacy", "ExpectedSubject": "EMS Server", "InvalidCertificateAction": "Deny", "TrustStore": "System",
              "ClockSkew": "00:05:00", "MaxChainDepth": 4, "MaxSignatureChecks": 50, "PromptTimeout": "00:00:45",
              "RevocationLists": [], "ApprovalsFile": "approvals.json",
              "RecordPendingQuestions": false, "MinimumTlsVersion": "Tls13" } } } }
            """));
        Seed(profiles, "two-profiles", Encoding.UTF8.GetBytes("""
            { "CertPolicy": { "Profiles": { "A": { "InvalidCertificateAction": "Warn", "ApprovalsFile": "a.json" }, "B": { "Mode": "Modern", "ApprovalsFile": "b.json" } } } }
            """));
        Seed(profiles, "bad-values", Encoding.UTF8.GetBytes("""
            { "CertPolicy": { "Profiles": { "Bad": { "Mode": "Sideways", "MaxChainDepth": 99, "ClockSkew": "2.00:00:00", "PromptTimeout": "-00:00:01", "Typo": 1 } } } }
            """));
        Seed(profiles, "missing-files", Encoding.UTF8.GetBytes("""
            { "CertPolicy": { "Profiles": { "Files": { "TrustStore": "System;no-such-roots.pem", "RevocationLists": [ "no-such.crl" ], "ApprovalsFile": "" } } } }
            """));
    }

    private static void WriteApprovalSeeds(string directory, X509Certificate2 first, X509Certificate2 second)
    {
        // The library's own writer makes the valid file.
        string scratch = Path.Combine(Path.GetTempPath(), $"certpolicy-seeds-{Environment.ProcessId}");
        Directory.CreateDirectory(scratch);
        try
        {
            string file = Path.Combine(scratch, "approvals.json");
            var store = new FileApprovalStore(file, FuzzFixtures.Clock);
            store.SaveAsync(new CertificateApproval(ServerIdentity.Create(FuzzFixtures.HostName), CertificateFingerprint.Compute(first.RawData), CertificateProblemKinds.UntrustedRoot | CertificateProblemKinds.NameMismatch, FuzzFixtures.Now, first.Subject))
                .AsTask().GetAwaiter().GetResult();
            store.SaveAsync(new CertificateApproval(ServerIdentity.Parse("[2001:db8::10]:8443"), CertificateFingerprint.Compute(second.RawData), CertificateProblemKinds.Expired, FuzzFixtures.Now.AddDays(-3), null))
                .AsTask().GetAwaiter().GetResult();
            byte[] written = File.ReadAllBytes(file);
            Seed(directory, "two-approvals", written);
            string text = Encoding.UTF8.GetString(written);
            Seed(directory, "newer-version", Encoding.UTF8.GetBytes(text.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal)));
            Seed(directory, "unknown-members", Encoding.UTF8.GetBytes(text.Replace("\"approvals\"", "\"note\": { \"by\": \"admin\" }, \"approvals\"", StringComparison.Ordinal)));
            Seed(directory, "empty-list", Encoding.UTF8.GetBytes("""{ "version": 1, "approvals": [] }"""));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string Corpus(string corpusDirectory, string target)
    {
        string path = Path.Combine(corpusDirectory, target);
        Directory.CreateDirectory(path);
        return path;
    }

    private static void Seed(string directory, string name, byte[] bytes) => File.WriteAllBytes(Path.Combine(directory, name), bytes);
}
