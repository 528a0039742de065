namespace CertPolicy;

/// <summary>
/// Where remembered approvals are kept, keyed by server (expected name and port) and certificate (SHA-256 of its
/// DER). Built-in stores: <see cref="InMemoryApprovalStore"/> and <see cref="FileApprovalStore"/> (the default).
/// Implementations are thread-safe.
/// </summary>
public abstract class ApprovalStore
{
    /// <summary>A version no reading of <see cref="Version"/> ever returns: "the approvals are not settled right now".</summary>
    internal const long UnsettledVersion = -1;

    private long _version;

    /// <summary>Creates a store.</summary>
    protected ApprovalStore()
    {
    }

    /// <summary>
    /// Raised after the approvals changed: a change made through this store, or, for a store backed by a shared
    /// file, a change made elsewhere that this store noticed when it next read the file. Handlers run on the thread
    /// that made or noticed the change; keep them short.
    /// </summary>
    public event EventHandler? Changed;

    /// <summary>
    /// A number that grows every time <see cref="Changed"/> is raised. Compare it with an earlier reading to know
    /// whether anything cached from the approvals is stale.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>
    /// Brings <see cref="Version"/> up to date with changes this store has not noticed yet (for a store backed by a
    /// shared file: another process's change), and returns it. For caches that keep a decision taken from an
    /// approval: they call this before reusing it, where reading <see cref="Version"/> alone would miss a change made
    /// elsewhere. Returns <see cref="UnsettledVersion"/> when the store cannot tell what its approvals are right now
    /// (a damaged or unreadable file), so that nothing cached from them is reused. In memory: just <see cref="Version"/>.
    /// </summary>
    internal virtual long RefreshVersion() => Version;

    /// <summary>
    /// The approval of a certificate for a server, if there is one. Called during handshakes whose certificate is
    /// not valid, possibly from a synchronous certificate callback: keep it fast and never wait on a network.
    /// </summary>
    /// <param name="server">The server the agent meant to reach.</param>
    /// <param name="certificateSha256">The SHA-256 of the certificate's DER (64 hexadecimal digits).</param>
    /// <returns>The approval, or null.</returns>
    /// <exception cref="ApprovalStoreException">The store cannot be read.</exception>
    public abstract CertificateApproval? Find(ServerIdentity server, string certificateSha256);

    /// <summary>Every approval, ordered by server and then by approval time.</summary>
    /// <returns>A snapshot of the approvals.</returns>
    /// <exception cref="ApprovalStoreException">The store cannot be read.</exception>
    public abstract IReadOnlyList<CertificateApproval> List();

    /// <summary>Adds an approval, replacing any earlier one for the same server and certificate.</summary>
    /// <param name="approval">The approval.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>A task that completes when the approval is stored.</returns>
    /// <exception cref="ApprovalStoreException">The approval could not be stored; nothing was changed.</exception>
    public abstract ValueTask SaveAsync(CertificateApproval approval, CancellationToken cancellationToken = default);

    /// <summary>Forgets the approval of one certificate for one server.</summary>
    /// <param name="server">The server.</param>
    /// <param name="certificateSha256">The SHA-256 of the certificate's DER (64 hexadecimal digits).</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>True when an approval was forgotten.</returns>
    /// <exception cref="ApprovalStoreException">The store could not be changed; nothing was changed.</exception>
    public abstract ValueTask<bool> ForgetAsync(ServerIdentity server, string certificateSha256, CancellationToken cancellationToken = default);

    /// <summary>Forgets every approval for one server.</summary>
    /// <param name="server">The server.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>How many approvals were forgotten.</returns>
    /// <exception cref="ApprovalStoreException">The store could not be changed; nothing was changed.</exception>
    public abstract ValueTask<int> ForgetAllAsync(ServerIdentity server, CancellationToken cancellationToken = default);

    /// <summary>Raises <see cref="Changed"/> after increasing <see cref="Version"/>. Call it after every change.</summary>
    protected void OnChanged()
    {
        Interlocked.Increment(ref _version);
        Changed?.Invoke(this, EventArgs.Empty);
    }
}
