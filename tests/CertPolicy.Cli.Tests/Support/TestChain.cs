using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Cli.Tests.Support;

/// <summary>
/// A root, an intermediate and a server certificate for <see cref="ServerName"/> and 127.0.0.1, valid around
/// <see cref="TestPki.Now"/>, with the root written to a PEM file for --trust and the chain to a PEM file for inspect.
/// </summary>
public sealed class TestChain : IDisposable
{
    public const string ServerName = "server.example.test";

    private readonly TempFolder _folder = new();

    public TestChain(DateTimeOffset? leafNotAfter = null, string? leafCommonName = null)
    {
        Root = TestPki.CreateRoot();
        Intermediate = TestPki.CreateIntermediate(Root);
        Leaf = TestPki.CreateLeaf(Intermediate, [ServerName], [IPAddress.Loopback], commonName: leafCommonName, notAfter: leafNotAfter);
        RootPem = _folder.WriteText("root.pem", TestPki.ToPem(Root));
        ChainPem = _folder.WriteText("chain.pem", TestPki.ToPem(Leaf, Intermediate));
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Intermediate { get; }

    public X509Certificate2 Leaf { get; }

    /// <summary>The root alone, as a PEM file to pass with --trust.</summary>
    public string RootPem { get; }

    /// <summary>The leaf then the intermediate, as a PEM file to pass to inspect.</summary>
    public string ChainPem { get; }

    /// <summary>The SHA-256 of the leaf's DER, as 64 upper-case hexadecimal digits.</summary>
    public string LeafSha256 => Convert.ToHexString(SHA256.HashData(Leaf.RawData));

    public CertificateFingerprint LeafFingerprint => CertificateFingerprint.Compute(Leaf.RawData);

    /// <summary>A server presenting the leaf and the intermediate.</summary>
    public LoopbackTlsServer StartServer(SslProtocols protocols = SslProtocols.Tls13) => LoopbackTlsServer.Start(Leaf, [Intermediate], protocols: protocols);

    public void Dispose()
    {
        Leaf.Dispose();
        Intermediate.Dispose();
        Root.Dispose();
        _folder.Dispose();
    }
}
