using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using CertPolicy.Tests.Support;
using BcGeneralName = Org.BouncyCastle.Asn1.X509.GeneralName;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Certificates;

/// <summary>
/// Signature algorithms the platform lacks here (Ed25519, Ed448, ML-DSA), verified through BouncyCastle: chains made
/// with BouncyCastle's own certificate generator, so the test does not depend on the validator's code to build them.
/// </summary>
public sealed class BouncyCastleAlgorithmTests
{
    private const string Host = "pq.example.test";

    public static TheoryData<string> Algorithms => ["Ed25519", "Ed448", "ML-DSA-44", "ML-DSA-65", "ML-DSA-87"];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_chain_signed_with_the_algorithm_is_valid(string algorithm)
    {
        AsymmetricCipherKeyPair rootKey = NewKey(algorithm);
        AsymmetricCipherKeyPair leafKey = NewKey(algorithm);
        X509Certificate root = Root(algorithm, rootKey);
        X509Certificate leaf = Leaf(algorithm, root, rootKey, leafKey.Public);

        ValidationReport report = Validate(root, leaf);

        Assert.True(report.IsValid, string.Join(" | ", report.Modern.Problems));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_leaf_signed_by_another_key_of_the_algorithm_is_a_bad_signature(string algorithm)
    {
        AsymmetricCipherKeyPair rootKey = NewKey(algorithm);
        AsymmetricCipherKeyPair impostorKey = NewKey(algorithm);
        X509Certificate root = Root(algorithm, rootKey);
        X509Certificate leaf = Leaf(algorithm, root, impostorKey, NewKey(algorithm).Public);

        ValidationReport report = Validate(root, leaf);

        Assert.Equal(CertificateProblemKinds.BadSignature, report.Modern.Kinds);
    }

    private static ValidationReport Validate(X509Certificate root, X509Certificate leaf)
    {
        var store = new FixedStore(new CertPolicy.TrustAnchors([root.GetEncoded()]));
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = store }, new FakeTimeProvider(TestPki.Now));
        return validator.Validate([leaf.GetEncoded()], ServerIdentity.Create(Host));
    }

    private static AsymmetricCipherKeyPair NewKey(string algorithm)
    {
        var random = new SecureRandom();
        IAsymmetricCipherKeyPairGenerator generator;
        switch (algorithm)
        {
            case "Ed25519":
                generator = new Ed25519KeyPairGenerator();
                generator.Init(new Ed25519KeyGenerationParameters(random));
                break;
            case "Ed448":
                generator = new Ed448KeyPairGenerator();
                generator.Init(new Ed448KeyGenerationParameters(random));
                break;
            default:
                MLDsaParameters parameters = algorithm switch
                {
                    "ML-DSA-44" => MLDsaParameters.ml_dsa_44,
                    "ML-DSA-65" => MLDsaParameters.ml_dsa_65,
                    _ => MLDsaParameters.ml_dsa_87,
                };
                generator = new MLDsaKeyPairGenerator();
                generator.Init(new MLDsaKeyGenerationParameters(random, parameters));
                break;
        }

        return generator.GenerateKeyPair();
    }

    private static X509Certificate Root(string algorithm, AsymmetricCipherKeyPair key)
    {
        var name = new X509Name("CN=BouncyCastle Root");
        X509V3CertificateGenerator generator = Generator(name, name, key.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(key.Public));
        return generator.Generate(new Asn1SignatureFactory(algorithm, key.Private));
    }

    private static X509Certificate Leaf(string algorithm, X509Certificate root, AsymmetricCipherKeyPair signer, AsymmetricKeyParameter subjectKey)
    {
        X509V3CertificateGenerator generator = Generator(root.SubjectDN, new X509Name("CN=" + Host), subjectKey);
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature));
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth));
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(new BcGeneralName(BcGeneralName.DnsName, Host)));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(root.GetPublicKey()));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(subjectKey));
        return generator.Generate(new Asn1SignatureFactory(algorithm, signer.Private));
    }

    private static X509V3CertificateGenerator Generator(X509Name issuer, X509Name subject, AsymmetricKeyParameter publicKey)
    {
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(BigInteger.ValueOf(Random.Shared.Next(1, int.MaxValue)));
        generator.SetIssuerDN(issuer);
        generator.SetSubjectDN(subject);
        generator.SetNotBefore(TestPki.DefaultNotBefore.UtcDateTime);
        generator.SetNotAfter(TestPki.DefaultNotAfter.UtcDateTime);
        generator.SetPublicKey(publicKey);
        return generator;
    }

    private sealed class FixedStore(CertPolicy.TrustAnchors anchors) : CertPolicy.TrustStore
    {
        public override CertPolicy.TrustAnchors GetAnchors() => anchors;
    }
}
