using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.PathBuilding;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Hostile.Mutation;

/// <summary>
/// Mutants of real chains (seeded, a few hundred per chain) through both <c>Validate</c> overloads. The certificate's
/// signature covers everything but the signature algorithm (which must equal the signed copy) and the signature value,
/// and the parser accepts DER only; so every mutant whose bytes differ from the original must end invalid (and no
/// mutant may throw). A leaf that no longer parses is <see cref="CertificateProblemKinds.MalformedCertificate"/>
/// alone; an intermediate that no longer parses is dropped as junk, which leaves a
/// <see cref="CertificateProblemKinds.PartialChain"/>.
/// </summary>
public sealed class CertificateMutationTests(ITestOutputHelper output)
{
    private const int LeafMutants = 320;
    private const int IntermediateMutants = 160;

    public static TheoryData<TestKeyKind, int> Chains => new()
    {
        { TestKeyKind.EcdsaP256, 20260601 },
        { TestKeyKind.Rsa2048, 20260602 },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void Every_mutant_of_the_leaf_ends_invalid_never_throws_and_names_a_problem(TestKeyKind key, int seed)
    {
        var chain = new PathTestKit.Chain(key);
        CertificateValidator validator = PathTestKit.Validator([chain.Root]);
        ServerIdentity identity = ServerIdentity.Create(PathTestKit.Host);
        PathTestKit.AssertValid(validator.Validate(chain.Leaf, chain.Intermediate));

        var tally = new Tally();
        foreach (Mutant mutant in new CertificateMutator(chain.Leaf.RawData, seed).Mutants(LeafMutants))
        {
            ValidationReport report = Judge(() => validator.Validate([mutant.Der, chain.Intermediate.RawData], identity), mutant);
            bool parses = ParsedCertificate.TryParse(mutant.Der, out _, out _);
            AssertVerdict(report, mutant, chain.Leaf.RawData, tally);
            if (!parses)
            {
                CertificateProblem problem = Assert.Single(report.Modern.Problems);
                Assert.Equal(CertificateProblemKinds.MalformedCertificate, problem.Kind);
                Assert.Equal(0, problem.ChainPosition);
                Assert.Null(report.Certificate);
            }
            else
            {
                tally.Parsed++;
                Assert.Equal(Sha256(mutant.Der), report.Certificate!.Sha256Fingerprint);
            }

            if (mutant.Kind is MutationKind.SignatureBitFlip && parses)
            {
                Assert.True(report.Modern.Kinds.HasFlag(CertificateProblemKinds.BadSignature), $"{mutant}: {string.Join(" | ", report.Modern.Problems)}");
            }

            ThroughThePlatformLoader(mutant, chain.Leaf.RawData, der => validator.Validate(der, [chain.Intermediate], identity), tally);
        }

        output.WriteLine($"{key} leaf: {tally}");
        Assert.Equal(LeafMutants, tally.Judged);
        Assert.True(tally.Parsed > 0, "no mutant parsed: the mutations never reached the checks behind the parser");
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Every_mutant_of_the_intermediate_ends_invalid_never_throws_and_names_a_problem(TestKeyKind key, int seed)
    {
        var chain = new PathTestKit.Chain(key);
        CertificateValidator validator = PathTestKit.Validator([chain.Root]);
        ServerIdentity identity = ServerIdentity.Create(PathTestKit.Host);

        var tally = new Tally();
        foreach (Mutant mutant in new CertificateMutator(chain.Intermediate.RawData, seed + 1000).Mutants(IntermediateMutants))
        {
            ValidationReport report = Judge(() => validator.Validate([chain.Leaf.RawData, mutant.Der], identity), mutant);
            AssertVerdict(report, mutant, chain.Intermediate.RawData, tally);
            if (!ParsedCertificate.TryParse(mutant.Der, out _, out _))
            {
                // Dropped as junk: the leaf's issuer is then unknown.
                Assert.True(report.Modern.Kinds == CertificateProblemKinds.PartialChain, $"{mutant}: {string.Join(" | ", report.Modern.Problems)}");
            }
            else
            {
                tally.Parsed++;
            }

            ThroughThePlatformLoader(mutant, chain.Intermediate.RawData, der => validator.Validate(chain.Leaf, [der], identity), tally);
        }

        output.WriteLine($"{key} intermediate: {tally}");
        Assert.Equal(IntermediateMutants, tally.Judged);
    }

    [Fact]
    public void A_certificate_re_encoded_with_the_same_meaning_in_BER_is_refused()
    {
        // Long-form lengths outside the signed part: a lax (BER) parser would see the very certificate that was signed.
        var chain = new PathTestKit.Chain();
        DerNode tree = DerNode.Parse(chain.Leaf.RawData);
        foreach (int part in new[] { 1, 2 })
        {
            DerNode copy = tree.DeepCopy();
            DerNode node = copy.Children![part];
            int length = node.Children?.Sum(c => c.Encode().Length) ?? node.Content!.Length;
            node.LengthOverride = length < 0x80 ? [0x81, (byte)length] : [0x82, (byte)(length >> 8), (byte)length];

            ValidationReport report = PathTestKit.Validator([chain.Root]).Validate([copy.Encode(), chain.Intermediate.RawData], ServerIdentity.Create(PathTestKit.Host));

            Assert.Equal(CertificateProblemKinds.MalformedCertificate, Assert.Single(report.Modern.Problems).Kind);
        }
    }

    [Fact]
    public void An_ECDSA_signature_malleated_to_its_twin_is_still_the_issuer_s_signature_but_another_certificate()
    {
        // (r, s) and (r, n - s) both verify: the one way to change a certificate's bytes without its issuer's key.
        // It stays valid (nothing was forged), and it has another SHA-256, so approvals never carry over to it.
        var chain = new PathTestKit.Chain();
        DerNode tree = DerNode.Parse(chain.Leaf.RawData);
        byte[] signatureValue = tree.Children![2].Content!;
        var reader = new System.Formats.Asn1.AsnReader(signatureValue.AsMemory(1), System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
        System.Numerics.BigInteger r = reader.ReadInteger();
        System.Numerics.BigInteger s = reader.ReadInteger();
        var order = System.Numerics.BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(r);
            writer.WriteInteger(order - s);
        }

        tree.Children[2].Content = [0x00, .. writer.Encode()];
        byte[] twin = tree.Encode();

        ValidationReport report = PathTestKit.Validator([chain.Root]).Validate([twin, chain.Intermediate.RawData], ServerIdentity.Create(PathTestKit.Host));

        Assert.False(twin.AsSpan().SequenceEqual(chain.Leaf.RawData));
        PathTestKit.AssertValid(report);
        Assert.Equal(Sha256(twin), report.Certificate!.Sha256Fingerprint);
        Assert.NotEqual(Sha256(chain.Leaf.RawData), report.Certificate.Sha256Fingerprint);
    }

    private static ValidationReport Judge(Func<ValidationReport> validate, Mutant mutant)
    {
        try
        {
            return validate();
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"The validator threw for the mutant {mutant}: {ex}");
        }
    }

    private static void AssertVerdict(ValidationReport report, Mutant mutant, byte[] original, Tally tally)
    {
        tally.Judged++;
        tally.Count(mutant.Kind);
        if (mutant.Der.AsSpan().SequenceEqual(original))
        {
            // A mutation that changed nothing (such as swapping two equal elements) is the original: valid.
            tally.Unchanged++;
            Assert.True(report.IsValid, $"{mutant} left the bytes as they were, yet: {string.Join(" | ", report.Modern.Problems)}");
            return;
        }

        Assert.False(report.IsValid, $"the mutant {mutant} validated: {Convert.ToHexString(mutant.Der)}");
        Assert.NotEqual(CertificateProblemKinds.None, report.Modern.Kinds);
        Assert.All(report.Modern.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
    }

    /// <summary>
    /// The <see cref="X509Certificate2"/> overload, when the platform loads the mutant at all. The platform may re-encode
    /// what it loaded (OpenSSL does for BER it accepts), so the rule is on the bytes it hands over: valid only if they
    /// are the original's.
    /// </summary>
    private static void ThroughThePlatformLoader(Mutant mutant, byte[] original, Func<X509Certificate2, ValidationReport> validate, Tally tally)
    {
        X509Certificate2 loaded;
        try
        {
            loaded = X509CertificateLoader.LoadCertificate(mutant.Der);
        }
        catch (CryptographicException)
        {
            tally.PlatformRefused++;
            return;
        }

        using (loaded)
        {
            tally.PlatformLoaded++;
            ValidationReport report = Judge(() => validate(loaded), mutant);
            if (loaded.RawData.AsSpan().SequenceEqual(original))
            {
                tally.PlatformRestoredOriginal += mutant.Der.AsSpan().SequenceEqual(original) ? 0 : 1;
                Assert.True(report.IsValid, $"{mutant}: the platform gave back the original bytes, yet: {string.Join(" | ", report.Modern.Problems)}");
            }
            else
            {
                Assert.False(report.IsValid, $"the mutant {mutant} validated through X509Certificate2");
            }
        }
    }

    private static string Sha256(byte[] der) => Convert.ToHexString(SHA256.HashData(der));

    private sealed class Tally
    {
        private readonly Dictionary<MutationKind, int> _byKind = [];

        public int Judged { get; set; }

        public int Parsed { get; set; }

        public int Unchanged { get; set; }

        public int PlatformLoaded { get; set; }

        public int PlatformRefused { get; set; }

        public int PlatformRestoredOriginal { get; set; }

        public void Count(MutationKind kind) => _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;

        public override string ToString() =>
            $"{Judged} mutants ({string.Join(", ", _byKind.Select(k => $"{k.Key} {k.Value}"))}); {Parsed} still parsed, {Unchanged} unchanged; " +
            $"platform loaded {PlatformLoaded}, refused {PlatformRefused}, re-encoded {PlatformRestoredOriginal} back to the original";
    }
}
