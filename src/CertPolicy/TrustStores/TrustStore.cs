using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// A source of trust anchors: the certificates a path may end in. Pass one to each validator; there is no global
/// store. Built-in stores: <see cref="System"/>, <see cref="FromPemFile(string)"/>, <see cref="FromPemDirectory(string)"/>,
/// <see cref="FromCertificates(IEnumerable{X509Certificate2})"/> and <see cref="Combine"/>. Derive from this class for another source.
/// </summary>
/// <remarks>
/// <para>
/// The built-in stores are immutable once created: each returns one <see cref="TrustAnchors"/> instance for its
/// whole life, from <see cref="GetAnchors"/> in constant time, without locking or allocating. They are safe to
/// share between threads and validators.
/// </para>
/// <para>
/// File and directory stores read their files once, when created, and never look at them again; nothing on disk
/// can change what a running validator trusts. To pick up an edited bundle, create a new store (a profile reload
/// does): its new <see cref="TrustAnchors"/> instance tells caches keyed on the snapshot to start afresh. Loading is
/// all or nothing: a store is returned only when every entry was read, so a half-loaded store never exists.
/// </para>
/// <para>
/// A derived store that changes over time must return a new <see cref="TrustAnchors"/> instance when, and only
/// when, its anchors change, and should keep the last good snapshot when a refresh fails.
/// </para>
/// </remarks>
public abstract class TrustStore
{
    /// <summary>Creates a trust store.</summary>
    protected TrustStore()
    {
    }

    /// <summary>
    /// The operating system's root certificates: the LocalMachine Root store (on Linux, the certificates in OpenSSL's
    /// default file and directory, such as /etc/ssl/certs). They are read once, on the first call to
    /// <see cref="GetAnchors"/>, and kept for the life of the process.
    /// </summary>
    /// <remarks>
    /// Its anchors are held to <see cref="TrustAnchorProfile.NameAndKey"/>: the operating system's vendor curated
    /// them, so an old root that predates today's certificate profile still anchors its chains (RFC 5280 6.1.1 (d)).
    /// When the system store cannot be read, it holds no anchor rather than throwing, so every path fails as
    /// untrusted (fail closed). Use a PEM file or directory store where the system roots are not wanted or not there.
    /// </remarks>
    public static TrustStore System => SystemTrustStore.Instance;

    /// <summary>
    /// The anchors as they are now. The same <see cref="TrustAnchors"/> instance is returned for as long as the
    /// anchors do not change, so callers may cache work keyed on it. Called on every validation: implementations
    /// should return a stored snapshot, not build one per call.
    /// </summary>
    /// <returns>The current anchors; never null.</returns>
    public abstract TrustAnchors GetAnchors();

    /// <summary>
    /// The store in words a person can act on, shown where a certificate's issuer was not found in it (such as in
    /// <see cref="CertificatePromptRequest.ProblemDescriptions"/>): "this computer's trusted roots", "the trust store
    /// /etc/ems/ca.pem", "the trust store folder /etc/ems/roots", "the in-memory trust store". A derived store should
    /// name its source; the default is "the application's own trust store".
    /// </summary>
    /// <remarks>Never null; reading it does not load or read anything.</remarks>
    public virtual string Description => "the application's own trust store";

    /// <summary>
    /// How to say that an authority is missing from this store, to follow "that is" or "it is": "not in the trust
    /// store /etc/ems/ca.pem"; the system store says "not among this computer's trusted roots", a union "in neither
    /// ... nor ...".
    /// </summary>
    internal virtual string Absence => $"not in {Description}";

    /// <summary>The certificates of a PEM bundle file, read and checked now.</summary>
    /// <param name="path">The bundle's path; a relative path is resolved against the current directory.</param>
    /// <returns>An immutable store; the file is not read again.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="TrustStoreException">
    /// The file cannot be read or is larger than 16 MiB, holds no certificate, or holds a malformed entry. The exception
    /// names the file and, for a bad entry, its index and line.
    /// </exception>
    /// <remarks>
    /// <para>
    /// The file holds PEM blocks (RFC 7468) with any text between them; line endings may be LF or CRLF and the
    /// encoding UTF-8 (with or without byte order mark) or another Unicode encoding marked by a byte order mark.
    /// Each block labelled <c>CERTIFICATE</c> (or the legacy <c>X509 CERTIFICATE</c> and <c>X.509 CERTIFICATE</c>)
    /// must hold valid base64 of a well-formed DER X.509 certificate. Blocks with other labels, such as private keys
    /// or CRLs, are skipped and their contents never used nor quoted. A block that cannot be read as PEM, a stray
    /// BEGIN or END line, or an entry that is not a certificate fails the whole file.
    /// </para>
    /// <para>
    /// OpenSSL <c>TRUSTED CERTIFICATE</c> blocks are refused: their trust settings (such as "rejected for server
    /// authentication") cannot be honoured here, and trusting the certificate without them could trust what the file
    /// meant to distrust. Write such certificates as plain <c>CERTIFICATE</c> blocks.
    /// </para>
    /// <para>
    /// The file must hold at least one certificate; a binary DER file is refused with a hint to convert it.
    /// </para>
    /// </remarks>
    public static TrustStore FromPemFile(string path) => FromPemFile(path, TrustAnchorProfile.Strict);

    /// <summary>The certificates of a PEM bundle file, read and checked now, held to the given anchor profile.</summary>
    /// <param name="path">The bundle's path; a relative path is resolved against the current directory.</param>
    /// <param name="profile">
    /// Which certificate-profile rules the anchors must meet themselves; <see cref="TrustAnchorProfile.NameAndKey"/>
    /// for a copy of a vendor-curated root store.
    /// </param>
    /// <returns>An immutable store; the file is not read again.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path, or <paramref name="profile"/> is not defined.</exception>
    /// <exception cref="TrustStoreException">As for <see cref="FromPemFile(string)"/>.</exception>
    public static TrustStore FromPemFile(string path, TrustAnchorProfile profile)
    {
        string fullPath = FullPath(path);
        List<byte[]> certificates = PemBundleReader.ReadFile(fullPath);
        return new InMemoryTrustStore(TrustAnchors.FromOwnedBuffers(certificates.Select(c => (ReadOnlyMemory<byte>)c), profile), $"the trust store {fullPath}");
    }

    /// <summary>The certificates of every certificate file in a directory, read and checked now.</summary>
    /// <param name="path">The directory's path; a relative path is resolved against the current directory.</param>
    /// <returns>An immutable store; the directory is not read again.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="TrustStoreException">
    /// The directory cannot be read, holds no certificate file, or a certificate file fails to load as
    /// <see cref="FromPemFile(string)"/> would; the exception names the file (and entry) at fault.
    /// </exception>
    /// <remarks>
    /// <para>
    /// The certificate files are those directly in the directory whose names end in <c>.pem</c>, <c>.crt</c> or
    /// <c>.cer</c> (in any case), and OpenSSL hash links (eight hex digits, a dot and a number, such as
    /// <c>5ad8a5d6.0</c>), read in ordinal name order. Subdirectories, hidden files and other files are ignored.
    /// Each certificate file is read under the rules of <see cref="FromPemFile(string)"/> and must hold at least one
    /// certificate, so a private key saved as <c>key.pem</c> fails the load; keep keys elsewhere.
    /// </para>
    /// <para>
    /// A directory laid out by OpenSSL's <c>c_rehash</c> or <c>update-ca-certificates</c> (such as /etc/ssl/certs,
    /// where hash links and bundle files point at the same certificates) works: a file reached through several links
    /// is read once, and a certificate present in several files is kept once. A broken link fails the load.
    /// </para>
    /// </remarks>
    public static TrustStore FromPemDirectory(string path) => FromPemDirectory(path, TrustAnchorProfile.Strict);

    /// <summary>The certificates of every certificate file in a directory, read and checked now, held to the given anchor profile.</summary>
    /// <param name="path">The directory's path; a relative path is resolved against the current directory.</param>
    /// <param name="profile">
    /// Which certificate-profile rules the anchors must meet themselves; <see cref="TrustAnchorProfile.NameAndKey"/>
    /// for a vendor-curated directory such as /etc/ssl/certs.
    /// </param>
    /// <returns>An immutable store; the directory is not read again.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path, or <paramref name="profile"/> is not defined.</exception>
    /// <exception cref="TrustStoreException">As for <see cref="FromPemDirectory(string)"/>.</exception>
    public static TrustStore FromPemDirectory(string path, TrustAnchorProfile profile)
    {
        string fullPath = FullPath(path);
        List<byte[]> certificates = PemDirectoryReader.Read(fullPath);
        return new InMemoryTrustStore(TrustAnchors.FromOwnedBuffers(certificates.Select(c => (ReadOnlyMemory<byte>)c), profile), $"the trust store folder {fullPath}");
    }

    /// <summary>A fixed set of certificates held in memory. Their DER is copied; the certificates may be disposed afterwards.</summary>
    /// <param name="certificates">The anchors; duplicates are kept once. May be empty (a store that trusts nothing).</param>
    /// <returns>An immutable store.</returns>
    /// <exception cref="ArgumentException">An entry is null.</exception>
    public static TrustStore FromCertificates(IEnumerable<X509Certificate2> certificates) => FromCertificates(certificates, TrustAnchorProfile.Strict);

    /// <summary>A fixed set of certificates held in memory, held to the given anchor profile. Their DER is copied.</summary>
    /// <param name="certificates">The anchors; duplicates are kept once. May be empty (a store that trusts nothing).</param>
    /// <param name="profile">Which certificate-profile rules the anchors must meet themselves.</param>
    /// <returns>An immutable store.</returns>
    /// <exception cref="ArgumentException">An entry is null, or <paramref name="profile"/> is not defined.</exception>
    public static TrustStore FromCertificates(IEnumerable<X509Certificate2> certificates, TrustAnchorProfile profile)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var der = new List<ReadOnlyMemory<byte>>();
        foreach (X509Certificate2 certificate in certificates)
        {
            if (certificate is null)
            {
                throw new ArgumentException("A certificate is null.", nameof(certificates));
            }

            der.Add(certificate.RawDataMemory.ToArray());
        }

        return new InMemoryTrustStore(TrustAnchors.FromOwnedBuffers(der, profile), "the in-memory trust store");
    }

    /// <summary>
    /// The union of several stores' anchors, each certificate kept once. The combined snapshot is rebuilt only when a
    /// member's snapshot changes; while none does, <see cref="GetAnchors"/> returns the same instance without locking
    /// or allocating. Thread-safe.
    /// </summary>
    /// <param name="stores">The stores to combine; none may be null. With no store, nothing is trusted.</param>
    /// <returns>The store.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stores"/> or one of its entries is null.</exception>
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

    private static string FullPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is NotSupportedException or PathTooLongException)
        {
            throw new ArgumentException($"'{path}' is not a valid path: {e.Message}", nameof(path), e);
        }
    }
}
