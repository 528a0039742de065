using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Fuzzing;

/// <summary>
/// The fixed valid PKI the targets judge fuzzed bytes against, committed in fuzz/fixtures (made by
/// <c>CertPolicy.Fuzz seeds</c> with the tests' generator) and embedded in the assembly: a root, an intermediate, a
/// leaf for <see cref="HostName"/> (with a wildcard, an internationalized name and two IP addresses among its
/// SANs), an empty CRL of each CA and a CRL of the intermediate that revokes the leaf. Every target validates at
/// <see cref="Now"/>, inside all of their validity periods.
/// </summary>
internal static class FuzzFixtures
{
    public const string RootFile = "root.der";
    public const string IntermediateFile = "intermediate.der";
    public const string LeafFile = "leaf.der";
    public const string RootCrlFile = "root.crl";
    public const string IntermediateCrlFile = "intermediate.crl";
    public const string RevokingCrlFile = "intermediate-revoking.crl";

    /// <summary>The leaf's first DNS name.</summary>
    public const string HostName = "server.example.test";

    /// <summary>The leaf's DNS names, as it is issued (the generator and the identity target share them).</summary>
    public static readonly string[] LeafDnsNames = [HostName, "*.wild.example.test", "xn--bcher-kva.example.test"];

    /// <summary>The leaf's IP addresses.</summary>
    public static readonly IPAddress[] LeafIPAddresses = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("2001:db8::10")];

    /// <summary>The time every target validates at.</summary>
    public static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly ConcurrentDictionary<string, byte[]> Files = new(StringComparer.Ordinal);

    public static TimeProvider Clock { get; } = new FixedClock(Now);

    public static byte[] Root => Read(RootFile);

    public static byte[] Intermediate => Read(IntermediateFile);

    public static byte[] Leaf => Read(LeafFile);

    public static byte[] RootCrl => Read(RootCrlFile);

    public static byte[] IntermediateCrl => Read(IntermediateCrlFile);

    public static byte[] RevokingCrl => Read(RevokingCrlFile);

    /// <summary>A trust store of the fixed root only.</summary>
    public static TrustStore RootStore() => TrustStore.FromCertificates([X509CertificateLoader.LoadCertificate(Root)]);

    private static byte[] Read(string name) => Files.GetOrAdd(name, static name =>
    {
        using Stream stream = typeof(FuzzFixtures).Assembly.GetManifestResourceStream("CertPolicy.Fuzzing." + name)
            ?? throw new InvalidOperationException($"The fuzz fixture '{name}' is not embedded; run `CertPolicy.Fuzz seeds` and rebuild.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
