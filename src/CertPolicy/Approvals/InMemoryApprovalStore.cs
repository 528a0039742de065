namespace CertPolicy;

/// <summary>Approvals held in memory: remembered for the life of the process only.</summary>
public sealed class InMemoryApprovalStore : ApprovalStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ApprovalKey, CertificateApproval> _approvals = [];
    private readonly Dictionary<(string Host, int Port), List<CertificateApproval>> _byServer = [];

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
    public override IReadOnlyList<CertificateApproval> FindForServer(ServerIdentity server)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_gate)
        {
            return _byServer.TryGetValue((server.Host, server.Port), out List<CertificateApproval>? approvals) ? [.. approvals] : [];
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
            foreach (CertificateApproval other in _approvals.Values.Where(a => ApprovalReplacement.Replaces(approval, a)).ToArray())
            {
                _approvals[other.Key] = other.ReplacedOn(approval.ApprovedAt);
            }

            _approvals[approval.Key] = approval;
            Reindex(approval.Server.Host, approval.Server.Port);
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
            Reindex(server.Host, server.Port);
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

            Reindex(server.Host, server.Port);
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
            _byServer.Clear();
        }

        if (removed > 0)
        {
            OnChanged();
        }

        return ValueTask.FromResult(removed);
    }

    /// <summary>Rebuilds one server's entry of the index by server; under the lock.</summary>
    private void Reindex(string host, int port)
    {
        List<CertificateApproval> approvals = [.. _approvals.Values.Where(a => a.Server.Host == host && a.Server.Port == port)];
        if (approvals.Count == 0)
        {
            _byServer.Remove((host, port));
        }
        else
        {
            _byServer[(host, port)] = approvals;
        }
    }
}

/// <summary>Which approvals a new one replaces: the same server's others, not yet marked replaced.</summary>
internal static class ApprovalReplacement
{
    public static bool Replaces(CertificateApproval added, CertificateApproval other) =>
        other.ReplacedAt is null && other.Server.Equals(added.Server) && other.Fingerprint != added.Fingerprint;
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
