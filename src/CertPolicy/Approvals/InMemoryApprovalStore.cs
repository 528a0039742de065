namespace CertPolicy;

/// <summary>Approvals held in memory: remembered for the life of the process only.</summary>
public sealed class InMemoryApprovalStore : ApprovalStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ApprovalKey, CertificateApproval> _approvals = [];

    /// <inheritdoc/>
    public override CertificateApproval? Find(ServerIdentity server, CertificateFingerprint certificate)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_gate)
        {
            return _approvals.GetValueOrDefault(new ApprovalKey(server.Host, server.Port, certificate));
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CertificateApproval> List()
    {
        lock (_gate)
        {
            return ApprovalOrder.Sort(_approvals.Values);
        }
    }

    /// <inheritdoc/>
    public override ValueTask SaveAsync(CertificateApproval approval, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(approval);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _approvals[approval.Key] = approval;
        }

        OnChanged();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override ValueTask<bool> ForgetAsync(ServerIdentity server, CertificateFingerprint certificate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        cancellationToken.ThrowIfCancellationRequested();
        bool removed;
        lock (_gate)
        {
            removed = _approvals.Remove(new ApprovalKey(server.Host, server.Port, certificate));
        }

        if (removed)
        {
            OnChanged();
        }

        return ValueTask.FromResult(removed);
    }

    /// <inheritdoc/>
    public override ValueTask<int> ForgetAllAsync(ServerIdentity server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        cancellationToken.ThrowIfCancellationRequested();
        int removed = 0;
        lock (_gate)
        {
            foreach (ApprovalKey key in _approvals.Keys.Where(k => k.Host == server.Host && k.Port == server.Port).ToArray())
            {
                removed += _approvals.Remove(key) ? 1 : 0;
            }
        }

        if (removed > 0)
        {
            OnChanged();
        }

        return ValueTask.FromResult(removed);
    }

    /// <inheritdoc/>
    public override ValueTask<int> ForgetEverythingAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int removed;
        lock (_gate)
        {
            removed = _approvals.Count;
            _approvals.Clear();
        }

        if (removed > 0)
        {
            OnChanged();
        }

        return ValueTask.FromResult(removed);
    }
}

/// <summary>The order approvals are listed in.</summary>
internal static class ApprovalOrder
{
    public static CertificateApproval[] Sort(IEnumerable<CertificateApproval> approvals) =>
        [.. approvals
            .OrderBy(a => a.Server.Host, StringComparer.Ordinal)
            .ThenBy(a => a.Server.Port)
            .ThenBy(a => a.ApprovedAt)
            .ThenBy(a => a.Fingerprint.ToString(), StringComparer.Ordinal)];
}
