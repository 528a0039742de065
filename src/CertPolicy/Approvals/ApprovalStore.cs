namespace CertPolicy;

/// <summary>
/// Where remembered approvals are kept, keyed by server (expected name and port) and certificate (SHA-256 of its
/// DER). Built-in stores: <see cref="InMemoryApprovalStore"/> and <see cref="FileApprovalStore"/> (the default).
/// Implementations are thread-safe.
/// </summary>
public abstract class ApprovalStore
{
    /// <summary>
    /// What <see cref="RefreshVersion"/> returns when the store cannot tell what its approvals are right now (a damaged
    /// or unreadable file): "the approvals are not settled". <see cref="Version"/> never has this value, so a cache
    /// that compares versions never reuses anything while the store is unsettled.
    /// </summary>
    public const long UnsettledVersion = -1;

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
    /// The change signal for approvals that other processes can change: brings <see cref="Version"/> up to date with
    /// changes this store has not noticed yet, and returns it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// <see cref="HandshakePolicy"/>'s cache calls this before it reuses a decision that connected on a remembered
    /// approval, on the handshake thread, possibly inside a synchronous certificate callback: the decision is reused
    /// only when the value equals the <see cref="Version"/> read before the decision was taken. So an override must be
    /// fast, lock-free for readers where it can, never wait on a network, and must not throw (an exception fails
    /// that handshake).
    /// </para>
    /// <para>
    /// A store whose approvals live where another process can change them (a file, a database, a service) overrides
    /// this: it looks for a change made elsewhere (for a file, typically one <c>stat</c>), and when it sees one, calls
    /// <see cref="OnChanged"/> before returning <see cref="Version"/>. When it cannot tell what its approvals are
    /// right now (a damaged or unreadable source), it returns <see cref="UnsettledVersion"/>, so that nothing cached
    /// from them is reused. A change the override does not notice stays invisible to cached decisions until the
    /// store raises <see cref="Changed"/> by other means.
    /// </para>
    /// <para>The base implementation, right for stores changed only through their own methods, returns <see cref="Version"/>.</para>
    /// </remarks>
    /// <returns><see cref="Version"/> after the check, or <see cref="UnsettledVersion"/>.</returns>
    public virtual long RefreshVersion() => Version;

    /// <summary>
    /// The approval of a certificate for a server, if there is one. Called during handshakes whose certificate is
    /// not valid, possibly from a synchronous certificate callback: keep it fast and never wait on a network.
    /// </summary>
    /// <param name="server">The server the agent meant to reach.</param>
    /// <param name="certificate">The certificate's fingerprint.</param>
    /// <returns>The approval, or null.</returns>
    /// <exception cref="ApprovalStoreException">The store cannot be read.</exception>
    public abstract CertificateApproval? Find(ServerIdentity server, CertificateFingerprint certificate);

    /// <summary>
    /// Every approval for one server (expected name and port), whatever its certificate: the candidates the engine
    /// matches by scope (<see cref="ApprovalScope"/>). Called during handshakes whose certificate is not valid,
    /// possibly from a synchronous certificate callback: keep it fast (an index by server) and never wait on a network.
    /// </summary>
    /// <param name="server">The server the agent meant to reach.</param>
    /// <returns>The server's approvals, in any order; empty when there is none.</returns>
    /// <exception cref="ApprovalStoreException">The store cannot be read.</exception>
    public abstract IReadOnlyList<CertificateApproval> FindForServer(ServerIdentity server);

    /// <summary>Every approval, ordered by server and then by approval time.</summary>
    /// <returns>A snapshot of the approvals.</returns>
    /// <exception cref="ApprovalStoreException">The store cannot be read.</exception>
    public abstract IReadOnlyList<CertificateApproval> List();

    /// <summary>
    /// Adds an approval, replacing any earlier one for the same server and certificate. The server's other approvals
    /// not yet marked replaced should be marked replaced at the new approval's time (<see cref="CertificateApproval.ReplacedAt"/>);
    /// they still apply.
    /// </summary>
    /// <param name="approval">The approval.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>A task that completes when the approval is stored.</returns>
    /// <exception cref="ApprovalStoreException">The approval could not be stored; nothing was changed.</exception>
    public abstract ValueTask SaveAsync(CertificateApproval approval, CancellationToken cancellationToken = default);

    /// <summary>Forgets the approval of one certificate for one server.</summary>
    /// <param name="server">The server.</param>
    /// <param name="certificate">The certificate's fingerprint.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>True when an approval was forgotten.</returns>
    /// <exception cref="ApprovalStoreException">The store could not be changed; nothing was changed.</exception>
    public abstract ValueTask<bool> ForgetAsync(ServerIdentity server, CertificateFingerprint certificate, CancellationToken cancellationToken = default);

    /// <summary>Forgets every approval for one server.</summary>
    /// <param name="server">The server.</param>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>How many approvals were forgotten.</returns>
    /// <exception cref="ApprovalStoreException">The store could not be changed; nothing was changed.</exception>
    public abstract ValueTask<int> ForgetAllAsync(ServerIdentity server, CancellationToken cancellationToken = default);

    /// <summary>Forgets every approval of every server, such as when a machine is handed to another user.</summary>
    /// <param name="cancellationToken">Cancels waiting for other writers.</param>
    /// <returns>How many approvals were forgotten.</returns>
    /// <exception cref="ApprovalStoreException">The store could not be changed.</exception>
    /// <remarks>
    /// The built-in stores forget them all in one change, or none. This base implementation, for stores written
    /// before it existed, forgets the approvals <see cref="List"/> shows one at a time with
    /// <see cref="ForgetAsync"/>: a failure part way leaves the rest remembered. Override it where one change can do it.
    /// </remarks>
    public virtual async ValueTask<int> ForgetEverythingAsync(CancellationToken cancellationToken = default)
    {
        int removed = 0;
        foreach (CertificateApproval approval in List())
        {
            removed += await ForgetAsync(approval.Server, approval.Fingerprint, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return removed;
    }

    /// <summary>Raises <see cref="Changed"/> after increasing <see cref="Version"/>. Call it after every change.</summary>
    protected void OnChanged()
    {
        Interlocked.Increment(ref _version);
        Changed?.Invoke(this, EventArgs.Empty);
    }
}
