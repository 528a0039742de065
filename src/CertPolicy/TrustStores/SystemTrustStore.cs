using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>The operating system's root certificates, read once on first use.</summary>
internal sealed class SystemTrustStore : TrustStore
{
    private readonly Lazy<TrustAnchors> _anchors = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    public static SystemTrustStore Instance { get; } = new();

    public override TrustAnchors GetAnchors() => _anchors.Value;

    private static TrustAnchors Load()
    {
        using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        var der = new List<ReadOnlyMemory<byte>>();
        foreach (X509Certificate2 certificate in store.Certificates)
        {
            der.Add(certificate.RawData);
            certificate.Dispose();
        }

        return new TrustAnchors(der);
    }
}
