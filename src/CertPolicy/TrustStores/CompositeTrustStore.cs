namespace CertPolicy;

/// <summary>
/// The union of several stores. The combined snapshot is rebuilt only when a member returns a different snapshot
/// instance; otherwise <see cref="GetAnchors"/> takes no lock and allocates nothing.
/// </summary>
internal sealed class CompositeTrustStore : TrustStore
{
    private readonly TrustStore[] _stores;
    private readonly Lock _rebuildGate = new();
    private volatile State? _state;

    /// <param name="stores">The members; the array is the store's from now on.</param>
    public CompositeTrustStore(TrustStore[] stores)
    {
        _stores = stores;
    }

    public override TrustAnchors GetAnchors()
    {
        State? state = _state;
        if (state is not null && IsCurrent(state))
        {
            return state.Combined;
        }

        lock (_rebuildGate)
        {
            var sources = new TrustAnchors[_stores.Length];
            for (int i = 0; i < _stores.Length; i++)
            {
                sources[i] = _stores[i].GetAnchors()
                    ?? throw new InvalidOperationException($"The trust store {_stores[i].GetType()} returned no anchors (null).");
            }

            // Another thread may have rebuilt for these very sources while this one waited: keep its instance.
            state = _state;
            if (state is not null && sources.AsSpan().SequenceEqual(state.Sources, ReferenceEqualityComparer.Instance))
            {
                return state.Combined;
            }

            TrustAnchors combined = sources.Length == 1 ? sources[0] : TrustAnchors.Union(sources);
            _state = new State(sources, combined);
            return combined;
        }
    }

    public override string Description => _stores.Length switch
    {
        0 => "an empty trust store",
        1 => _stores[0].Description,
        _ => $"{string.Join(", ", _stores[..^1].Select(s => s.Description))} and {_stores[^1].Description}",
    };

    /// <summary>"in neither A nor B", "in none of A, B and C": an authority is missing from every member.</summary>
    internal override string Absence => _stores.Length switch
    {
        0 => "not in any trust store (none was given)",
        1 => _stores[0].Absence,
        2 => $"in neither {_stores[0].Description} nor {_stores[1].Description}",
        _ => $"in none of {Description}",
    };

    public override string ToString() => $"union of {string.Join(", ", _stores.Select(s => s.ToString()))}";

    private bool IsCurrent(State state)
    {
        TrustAnchors[] sources = state.Sources;
        for (int i = 0; i < _stores.Length; i++)
        {
            if (!ReferenceEquals(_stores[i].GetAnchors(), sources[i]))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class State(TrustAnchors[] sources, TrustAnchors combined)
    {
        public TrustAnchors[] Sources { get; } = sources;

        public TrustAnchors Combined { get; } = combined;
    }
}
