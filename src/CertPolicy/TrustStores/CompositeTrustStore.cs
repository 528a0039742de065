namespace CertPolicy;

/// <summary>The union of several stores; the snapshot is rebuilt only when a member's snapshot changes.</summary>
internal sealed class CompositeTrustStore(TrustStore[] stores) : TrustStore
{
    private readonly Lock _gate = new();
    private TrustAnchors[]? _sources;
    private TrustAnchors _combined = TrustAnchors.Empty;

    public override TrustAnchors GetAnchors()
    {
        var current = new TrustAnchors[stores.Length];
        for (int i = 0; i < stores.Length; i++)
        {
            current[i] = stores[i].GetAnchors();
        }

        lock (_gate)
        {
            if (_sources is null || !current.AsSpan().SequenceEqual(_sources))
            {
                _combined = new TrustAnchors(current.SelectMany(a => a.Certificates));
                _sources = current;
            }

            return _combined;
        }
    }
}
