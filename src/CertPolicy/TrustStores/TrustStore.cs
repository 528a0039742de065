using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// A source of trust anchors: the certificates a path may end in. Pass one to each validator; there is no global
/// store. Built-in stores: <see cref="System"/>, <see cref="FromPemFile"/>, <see cref="FromPemDirectory"/>,
/// <see cref="FromCertificates"/> and <see cref="Combine"/>. Derive from this class for another source.
/// </summary>
public abstract class TrustStore
{
    /// <summary>Creates a trust store.</summary>
    protected TrustStore()
    {
    }

    /// <summary>
    /// The operating system's root certificates, read once when first needed.
    /// </summary>
    public static TrustStore System => SystemTrustStore.Instance;

    /// <summary>
    /// The anchors as they are now. The same <see cref="TrustAnchors"/> instance is returned for as long as the
    /// anchors do not change, so callers may cache work keyed on it.
    /// </summary>
    /// <returns>The current anchors.</returns>
    public abstract TrustAnchors GetAnchors();

    /// <summary>The certificates of a PEM bundle file, loaded now.</summary>
    /// <param name="path">The bundle's path.</param>
    /// <returns>The store.</returns>
    /// <exception cref="TrustStoreException">The file cannot be read, holds no certificate, or holds a malformed entry.</exception>
    public static TrustStore FromPemFile(string path) => throw new NotImplementedException();

    /// <summary>The certificates of every PEM file (.pem, .crt, .cer) in a directory, loaded now.</summary>
    /// <param name="path">The directory's path.</param>
    /// <returns>The store.</returns>
    /// <exception cref="TrustStoreException">The directory cannot be read, or a file holds a malformed entry.</exception>
    public static TrustStore FromPemDirectory(string path) => throw new NotImplementedException();

    /// <summary>A fixed set of certificates held in memory.</summary>
    /// <param name="certificates">The anchors.</param>
    /// <returns>The store.</returns>
    public static TrustStore FromCertificates(IEnumerable<X509Certificate2> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        return new InMemoryTrustStore(new TrustAnchors(certificates.Select(c => (ReadOnlyMemory<byte>)(c ?? throw new ArgumentException("A certificate is null.", nameof(certificates))).RawData)));
    }

    /// <summary>The union of several stores' anchors.</summary>
    /// <param name="stores">The stores to combine.</param>
    /// <returns>The store.</returns>
    public static TrustStore Combine(params IEnumerable<TrustStore> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        TrustStore[] list = [.. stores];
        foreach (TrustStore store in list)
        {
            ArgumentNullException.ThrowIfNull(store, nameof(stores));
        }

        return new CompositeTrustStore(list);
    }
}
