using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static CertPolicy.Tests.PathBuilding.PathTestKit;

namespace CertPolicy.Tests.TrustStores;

/// <summary>Trust anchors as RFC 5280 6.1.1 (d) defines them (a name and a key), and the per-store anchor profile.</summary>
/// <remarks>
/// Not run beside other tests: re-signing and validating every root of the machine is CPU-heavy, and the approvals
/// concurrency tests wait on file locks with a bounded timeout.
/// </remarks>
[Collection(nameof(TrustAnchorProfileTests))]
public sealed class TrustAnchorProfileTests
{
    /// <summary>The AlgorithmIdentifier of ecdsa-with-SHA256.</summary>
    private static readonly byte[] EcdsaWithSha256 = [0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];

    [Fact]
    public void Every_root_of_the_machine_anchors_a_leaf_under_it_in_the_system_store_profile()
    {
        List<byte[]> roots = ReadMachineRoots();
        if (roots.Count == 0)
        {
            Assert.Skip("This machine has no system root certificates (neither the X509Store Root nor /etc/ssl/certs holds any).");
        }

        // Each root keeps its own name, validity and extensions; only its key is replaced by a test key, so that a
        // leaf can be issued under it.
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 keyHolder = new CertificateRequest("CN=test key", key, HashAlgorithmName.SHA256).CreateSelfSigned(TestPki.DefaultNotBefore, TestPki.DefaultNotAfter);
        var resigned = new List<X509Certificate2>(roots.Count);
        foreach (byte[] root in roots)
        {
            byte[] der = TestPki.Resign(root, keyHolder, fields =>
            {
                int offset = fields[0][0] == 0xA0 ? 1 : 0;
                fields[1 + offset] = EcdsaWithSha256;
                fields[5 + offset] = key.ExportSubjectPublicKeyInfo();
                return fields;
            }, EcdsaWithSha256);
            using X509Certificate2 certificate = X509CertificateLoader.LoadCertificate(der);
            resigned.Add(certificate.CopyWithPrivateKey(key));
        }

        // The store is built as the system store is (its internal constructor), so its anchors have its profile.
        var store = new SystemTrustStore(() => [.. resigned.Select(r => X509CertificateLoader.LoadCertificate(r.RawData))]);
        Assert.Equal(resigned.Count, store.GetAnchors().Count);
        var failures = new List<string>();
        foreach (X509Certificate2 root in resigned)
        {
            DateTimeOffset middle = root.NotBefore.ToUniversalTime() + ((root.NotAfter - root.NotBefore) / 2);
            DateTimeOffset now = new(middle.Year, middle.Month, middle.Day, 12, 0, 0, TimeSpan.Zero);
            X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host) with { NotBefore = now.AddDays(-1), NotAfter = now.AddDays(1) });
            var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = store }, new FakeTimeProvider(now));
            ValidationReport report = validator.Validate(TestPki.Der(leaf), ServerIdentity.Create(Host));
            if (!report.IsValid)
            {
                failures.Add($"{root.Subject}: {string.Join(" | ", report.Modern.Problems)}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {resigned.Count} roots anchor nothing:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    [Fact]
    public void A_cross_signed_anchor_without_authority_key_identifier_anchors_its_chain()
    {
        // leaf -> A1 -> A, where A is cross-signed by B and by C (no authorityKeyIdentifier) and is also a trusted root.
        X509Certificate2 rootA = TestPki.Issue(null, TestPki.CaSpec("CN=Anchor A"));
        X509Certificate2 rootB = TestPki.Issue(null, TestPki.CaSpec("CN=Cross B"));
        X509Certificate2 rootC = TestPki.Issue(null, TestPki.CaSpec("CN=Cross C"));
        X509Certificate2 aByB = TestPki.Issue(rootB, TestPki.CaSpec("CN=Anchor A") with { KeyOf = rootA, IncludeAuthorityKeyIdentifier = false });
        X509Certificate2 aByC = TestPki.Issue(rootC, TestPki.CaSpec("CN=Anchor A") with { KeyOf = rootA, IncludeAuthorityKeyIdentifier = false });
        X509Certificate2 a1 = TestPki.Issue(rootA, TestPki.CaSpec("CN=Intermediate A1"));
        X509Certificate2 leaf = TestPki.Issue(a1, TestPki.LeafSpec(Host));

        foreach (TrustAnchorProfile profile in new[] { TrustAnchorProfile.Strict, TrustAnchorProfile.NameAndKey })
        {
            // The cross-signed certificate itself is the anchor; the peer sends the other cross-signature too.
            AssertValid(ValidateIn(TrustStore.FromCertificates([aByB], profile), leaf, a1, aByC));
            AssertValid(ValidateIn(TrustStore.FromCertificates([aByB, rootA], profile), leaf, a1, aByB, aByC));
        }
    }

    [Fact]
    public void A_configured_pem_store_in_strict_mode_refuses_an_anchor_without_basic_constraints()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=No Basic Constraints Root") with { IsCertificateAuthority = null });
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host));
        using var folder = new TempFolder();
        string bundle = folder.WriteText("roots.pem", TestPki.ToPem(root));

        ValidationReport strict = ValidateIn(TrustStore.FromPemFile(bundle), leaf);
        ValidationReport explicitlyStrict = ValidateIn(TrustStore.FromPemFile(bundle, TrustAnchorProfile.Strict), leaf);
        ValidationReport nameAndKey = ValidateIn(TrustStore.FromPemFile(bundle, TrustAnchorProfile.NameAndKey), leaf);

        Assert.False(strict.IsValid);
        Assert.Equal(1, strict.Of(CertificateProblemKinds.NotCertificateAuthority).Single().ChainPosition);
        Assert.Equal(strict.Kinds(), explicitlyStrict.Kinds());
        AssertValid(nameAndKey);
    }

    [Fact]
    public void A_name_and_key_anchor_keeps_its_validity_name_constraints_and_path_length()
    {
        X509Certificate2 expired = TestPki.Issue(null, TestPki.CaSpec("CN=Expired Anchor") with { NotAfter = TestPki.Now.AddDays(-1) });
        X509Certificate2 constrained = TestPki.Issue(null, TestPki.CaSpec("CN=Constrained Anchor") with { Extensions = [TestPki.NameConstraints([TestPki.DnsName("elsewhere.test")], null)] });
        X509Certificate2 pathLengthZero = TestPki.Issue(null, TestPki.CaSpec("CN=Path Length Anchor", pathLength: 0));
        X509Certificate2 intermediate = TestPki.Issue(pathLengthZero, TestPki.CaSpec("CN=Below Path Length"));

        TrustStore store = TrustStore.FromCertificates([expired, constrained, pathLengthZero], TrustAnchorProfile.NameAndKey);

        Assert.True(ValidateIn(store, TestPki.Issue(expired, TestPki.LeafSpec(Host))).Kinds().HasFlag(CertificateProblemKinds.Expired));
        Assert.True(ValidateIn(store, TestPki.Issue(constrained, TestPki.LeafSpec(Host))).Kinds().HasFlag(CertificateProblemKinds.NameConstraintViolation));
        Assert.True(ValidateIn(store, TestPki.Issue(intermediate, TestPki.LeafSpec(Host)), intermediate).Kinds().HasFlag(CertificateProblemKinds.PathLengthExceeded));
    }

    [Fact]
    public void A_name_and_key_anchor_with_a_critical_extension_not_understood_is_still_refused()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Unknown Critical Anchor") with { Extensions = [new X509Extension("1.3.6.1.4.1.55555.1", [0x05, 0x00], true)] });
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host));

        ValidationReport report = ValidateIn(TrustStore.FromCertificates([root], TrustAnchorProfile.NameAndKey), leaf);

        Assert.Equal(CertificateProblemKinds.UnhandledCriticalExtension, report.Kinds());
    }

    [Fact]
    public void A_certificate_in_a_strict_and_a_name_and_key_store_is_held_to_name_and_key()
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Twice Trusted Root") with { ExtendedKeyUsages = [CertificateValidatorOptions.ServerAuthenticationOid] });
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec(Host));

        TrustStore strict = TrustStore.FromCertificates([root]);
        Assert.False(ValidateIn(strict, leaf).IsValid);
        AssertValid(ValidateIn(TrustStore.Combine(strict, TrustStore.FromCertificates([root], TrustAnchorProfile.NameAndKey)), leaf));
        Assert.Throws<ArgumentException>(() => new TrustAnchors([root.RawData], (TrustAnchorProfile)7));
    }

    private static ValidationReport ValidateIn(TrustStore store, params X509Certificate2[] peer) =>
        new CertificateValidator(new CertificateValidatorOptions { TrustStore = store }, new FakeTimeProvider(TestPki.Now))
            .Validate(TestPki.Der(peer), ServerIdentity.Create(Host));

    /// <summary>The DER of every root certificate of the machine: the platform's Root store, else the PEM files of /etc/ssl/certs.</summary>
    private static List<byte[]> ReadMachineRoots()
    {
        var roots = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            foreach (X509Certificate2 certificate in store.Certificates)
            {
                using (certificate)
                {
                    roots.TryAdd(certificate.Thumbprint, certificate.RawData);
                }
            }
        }
        catch (CryptographicException)
        {
            // No platform store: fall back to the folder below.
        }

        if (roots.Count == 0 && Directory.Exists("/etc/ssl/certs"))
        {
            foreach (string file in Directory.EnumerateFiles("/etc/ssl/certs", "*.pem"))
            {
                using X509Certificate2 certificate = X509CertificateLoader.LoadCertificateFromFile(file);
                roots.TryAdd(certificate.Thumbprint, certificate.RawData);
            }
        }

        return [.. roots.Values];
    }
}

/// <summary>The collection of <see cref="TrustAnchorProfileTests"/>, run alone.</summary>
[CollectionDefinition(nameof(TrustAnchorProfileTests), DisableParallelization = true)]
public sealed class TrustAnchorProfileCollection
{
}
