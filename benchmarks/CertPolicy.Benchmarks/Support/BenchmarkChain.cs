using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;

namespace CertPolicy.Benchmarks.Support;

/// <summary>The key algorithm of every certificate in a benchmark chain.</summary>
public enum ChainKind
{
    /// <summary>ECDSA P-256 root, intermediate and leaf, signed with SHA-256.</summary>
    EcdsaP256,

    /// <summary>RSA-2048 root, intermediate and leaf, signed with SHA-256 and PKCS#1 v1.5.</summary>
    Rsa2048,
}

/// <summary>
/// A three-certificate chain generated at set-up (root, intermediate, leaf with its private key), valid from 2025
/// to 2035, with everything the benchmarks build from it: the server identity the leaf names, a CertPolicy engine
/// that trusts the root, and the <see cref="X509Chain"/> a validation callback receives.
/// </summary>
public sealed class BenchmarkChain : IDisposable
{
    /// <summary>The host name in the leaf's SAN, and the identity every benchmark connects to.</summary>
    public const string HostName = "ems.example.test";

    private BenchmarkChain(ChainKind kind, X509Certificate2 root, X509Certificate2 intermediate, X509Certificate2 leaf)
    {
        Kind = kind;
        Root = root;
        Intermediate = intermediate;
        Leaf = leaf;
        Identity = ServerIdentity.Create(HostName, 443);
    }

    public ChainKind Kind { get; }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    /// <summary>The leaf, with its private key (the loopback server uses it).</summary>
    public X509Certificate2 Leaf { get; }

    public ServerIdentity Identity { get; }

    public static BenchmarkChain Create(ChainKind kind)
    {
        TestKeyKind key = ToKeyKind(kind);
        X509Certificate2 root = TestPki.CreateRoot($"CertPolicy Benchmark Root {kind}", key);
        X509Certificate2 intermediate = TestPki.CreateIntermediate(root, $"CertPolicy Benchmark Intermediate {kind}", key);
        X509Certificate2 leaf = TestPki.CreateLeaf(intermediate, [HostName], key: key);
        return new BenchmarkChain(kind, root, intermediate, leaf);
    }

    /// <summary>
    /// DER of <paramref name="count"/> distinct leaves for the same host under the intermediate, cheaply: every leaf
    /// certifies the same key (no key generation) and differs in its serial number, so each costs one signature.
    /// </summary>
    public byte[][] IssueDistinctLeaves(int count)
    {
        var leaves = new byte[count][];
        TestCertificateSpec spec = TestPki.LeafSpec(HostName) with { KeyOf = Leaf };
        for (int i = 0; i < count; i++)
        {
            // A positive 8-byte serial: 0x01 then the index, so every leaf differs.
            byte[] serial = new byte[8];
            serial[0] = 0x01;
            BitConverter.TryWriteBytes(serial.AsSpan(4), i);
            using X509Certificate2 leaf = TestPki.Issue(Intermediate, spec with { SerialNumber = serial });
            leaves[i] = leaf.RawData;
        }

        return leaves;
    }

    /// <summary>
    /// DER of <paramref name="count"/> byte-distinct leaves for the same host, made without signing anything, for
    /// filling the decision cache fast: one leaf issued by a CA that is neither presented nor trusted, copied with the
    /// serial number changed. Each names the host and is well-formed, has no path to the root, and is refused
    /// (DeniedByPolicy under the Deny profile) without any signature check; such a refusal is cached like an
    /// acceptance, under the same kind of key.
    /// </summary>
    public byte[][] ForgeDistinctUnanchoredLeaves(int count)
    {
        byte[] mark = [0x01, 0x5A, 0x5A, 0x5A, 0x00, 0x00, 0x00, 0x00];
        using X509Certificate2 unlisted = TestPki.CreateIntermediate(Root, $"CertPolicy Benchmark Unlisted CA {Kind}", ToKeyKind(Kind));
        using X509Certificate2 template = TestPki.Issue(unlisted, TestPki.LeafSpec(HostName) with { KeyOf = Leaf, SerialNumber = mark });
        byte[] der = template.RawData;
        byte[] serialField = [0x02, (byte)mark.Length, .. mark];
        int serialAt = der.AsSpan().IndexOf(serialField) + 2;
        if (serialAt < 2)
        {
            throw new InvalidOperationException("The template's serial number was not found.");
        }

        var leaves = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            byte[] leaf = (byte[])der.Clone();
            BinaryPrimitives.WriteInt32BigEndian(leaf.AsSpan(serialAt + 4), i);
            leaves[i] = leaf;
        }

        return leaves;
    }

    /// <summary>A decision engine that trusts the root and refuses anything invalid (a strict agent profile).</summary>
    public CertificateDecisionEngine CreateEngine() =>
        new(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([Root]) }),
            new CertificateDecisionEngineOptions { InvalidCertificateAction = InvalidCertificateAction.Deny, ProfileName = "benchmark" });

    /// <summary>
    /// The chain object a validation callback receives from SslStream: the platform has built it, and its
    /// <see cref="X509ChainPolicy.ExtraStore"/> holds what the server sent, the leaf and the intermediate, in that
    /// order (as a real handshake shows: <see cref="HandshakeClients.DescribeCallbackExtraStoreAsync"/>).
    /// </summary>
    /// <param name="leaf">The leaf the server sent; <see cref="Leaf"/> when null.</param>
    public X509Chain CreateCallbackChain(X509Certificate2? leaf = null)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.Add(leaf ?? Leaf);
        chain.ChainPolicy.ExtraStore.Add(Intermediate);
        return chain;
    }

    /// <summary>
    /// The errors SslStream reports to a callback when the platform's default chain build (system roots) cannot
    /// reach the private root: the chain is untrusted, the name matches.
    /// </summary>
    public static SslPolicyErrors PlatformErrors => SslPolicyErrors.RemoteCertificateChainErrors;

    public void Dispose()
    {
        Leaf.Dispose();
        Intermediate.Dispose();
        Root.Dispose();
    }

    private static TestKeyKind ToKeyKind(ChainKind kind) => kind switch
    {
        ChainKind.EcdsaP256 => TestKeyKind.EcdsaP256,
        ChainKind.Rsa2048 => TestKeyKind.Rsa2048,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
