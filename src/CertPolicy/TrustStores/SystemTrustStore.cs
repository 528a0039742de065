using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// The operating system's root certificates (the LocalMachine Root store; on Linux, OpenSSL's default certificate
/// file and directory), read once on first use. An unavailable store gives no anchor, never an exception, and
/// <see cref="LoadFailure"/> says why.
/// </summary>
internal sealed class SystemTrustStore : TrustStore
{
    private readonly Lazy<Loaded> _loaded;

    /// <param name="readRoots">Reads the roots; every certificate it returns is disposed here.</param>
    internal SystemTrustStore(Func<X509Certificate2Collection> readRoots)
    {
        _loaded = new(() => Load(readRoots), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public static SystemTrustStore Instance { get; } = new(ReadMachineRoots);

    /// <summary>Why the roots could not be read (the store is then empty), or null. Reading it loads the store.</summary>
    internal Exception? LoadFailure => _loaded.Value.Failure;

    public override TrustAnchors GetAnchors() => _loaded.Value.Anchors;

    public override string Description => "this computer's trusted roots";

    /// <summary>"not among this computer's trusted roots", and when they could not be read, that none is trusted.</summary>
    internal override string Absence => _loaded.IsValueCreated && _loaded.Value.Failure is not null
        ? "not among this computer's trusted roots (which could not be read, so no authority is trusted)"
        : "not among this computer's trusted roots";

    public override string ToString() => "system roots";

    private static X509Certificate2Collection ReadMachineRoots()
    {
        using var store = new X509Store(StoreName.Root, StoreLocation.LocalMachine);
        store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
        return store.Certificates;
    }

    private static Loaded Load(Func<X509Certificate2Collection> readRoots)
    {
        X509Certificate2Collection? certificates = null;
        try
        {
            certificates = readRoots();
            var der = new List<ReadOnlyMemory<byte>>(certificates.Count);
            foreach (X509Certificate2 certificate in certificates)
            {
                der.Add(certificate.RawDataMemory.ToArray());
            }

            return new Loaded(TrustAnchors.FromOwnedBuffers(der, TrustAnchorProfile.NameAndKey), null);
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException or UnauthorizedAccessException or IOException or SecurityException)
        {
            return new Loaded(TrustAnchors.Empty, e);
        }
        finally
        {
            if (certificates is not null)
            {
                foreach (X509Certificate2 certificate in certificates)
                {
                    certificate.Dispose();
                }
            }
        }
    }

    private sealed record Loaded(TrustAnchors Anchors, Exception? Failure);
}
