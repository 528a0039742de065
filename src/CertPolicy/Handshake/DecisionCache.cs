using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CertPolicy;

/// <summary>
/// The handshake fast path: a bounded map from the exact certificates a server presented (every byte of each,
/// plus the server identity) to the decision the full path took for them. A hit reads each certificate's bytes
/// to hash them and once more to compare them, and allocates nothing. Copies of the leaf among the other
/// certificates (SslStream passes the leaf in the chain's extra store as well) are left out of the key: the full
/// path ignores them, and the fast path neither stores nor hashes the leaf twice.
/// <para>
/// An entry answers only for the engine that took the decision (a decision taken by an engine that was replaced
/// while it decided never answers for its successor), and only while that engine says the decision still holds
/// (<see cref="CertificateDecisionEngine.StillHolds"/>: the validator's verdict is inside its interval and on the
/// same trust anchors; a remembered approval is unchanged). The cache itself has no rule about time or approvals.
/// Anything else is a miss and the full path decides again. The owner clears the cache when its profile is reloaded.
/// </para>
/// </summary>
internal sealed class DecisionCache
{
    private readonly ConcurrentDictionary<CacheKey, CacheEntry> _entries;
    private readonly ConcurrentDictionary<CacheKey, CacheEntry>.AlternateLookup<PresentedChain> _lookup;
    private long _generation;

    public DecisionCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _entries = new ConcurrentDictionary<CacheKey, CacheEntry>(CacheKeyComparer.Instance);
        _lookup = _entries.GetAlternateLookup<PresentedChain>();
    }

    public int Capacity { get; }

    public int Count => _entries.Count;

    /// <summary>
    /// Grows with every <see cref="Clear"/>. Read it before deciding and pass it to <see cref="Add"/>: a decision
    /// that was under way when the cache was cleared is then never answered from it.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Looks the presented chain up; true only when a decision of <paramref name="engine"/> that still holds is cached.</summary>
    public bool TryGet(scoped in PresentedChain chain, CertificateDecisionEngine engine, [NotNullWhen(true)] out CertificateDecision? decision)
    {
        if (_lookup.TryGetValue(chain, out CacheEntry? entry)
            && entry.Generation == Generation
            && ReferenceEquals(entry.Engine, engine)
            && engine.StillHolds(entry.Decision))
        {
            decision = entry.Decision;
            return true;
        }

        decision = null;
        return false;
    }

    /// <summary>Remembers a reusable decision of <paramref name="engine"/> for the presented chain, unless the cache was cleared since <paramref name="generation"/>.</summary>
    public void Add(scoped in PresentedChain chain, CertificateDecisionEngine engine, CertificateDecision decision, long generation)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(decision);
        if (!decision.IsReusable || generation != Generation)
        {
            return;
        }

        if (_entries.Count >= Capacity)
        {
            // Bounded: when full, start again. Entries are cheap to rebuild, and a wholesale clear keeps the
            // hot path free of bookkeeping (no LRU links to update on a hit).
            _entries.Clear();
        }

        // The decision is taken: keep its report's text, not the parsed certificates (a few KB per entry).
        decision.Report.ReleaseParsedCertificates();
        _entries[CacheKey.Create(chain)] = new CacheEntry(generation, engine, decision);
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    private sealed record CacheEntry(long Generation, CertificateDecisionEngine Engine, CertificateDecision Decision);

    /// <summary>A stored key: copies of every certificate's bytes and the identity.</summary>
    private sealed class CacheKey
    {
        private CacheKey(ServerIdentity identity, byte[] leaf, byte[][] others, int hash)
        {
            Identity = identity;
            Leaf = leaf;
            Others = others;
            Hash = hash;
        }

        public ServerIdentity Identity { get; }

        public byte[] Leaf { get; }

        public byte[][] Others { get; }

        public int Hash { get; }

        public static CacheKey Create(scoped in PresentedChain chain)
        {
            var others = new List<byte[]>(chain.OtherCount);
            for (int i = 0; i < chain.OtherCount; i++)
            {
                if (!chain.IsLeafCopy(i))
                {
                    others.Add(chain.Other(i).ToArray());
                }
            }

            return new CacheKey(chain.Identity, chain.Leaf.ToArray(), [.. others], CacheKeyComparer.HashOf(chain));
        }
    }

    private sealed class CacheKeyComparer : IEqualityComparer<CacheKey>, IAlternateEqualityComparer<PresentedChain, CacheKey>
    {
        public static readonly CacheKeyComparer Instance = new();

        public static int HashOf(scoped in PresentedChain chain)
        {
            var hash = default(HashCode);
            hash.Add(chain.Identity);
            hash.AddBytes(chain.Leaf);
            for (int i = 0; i < chain.OtherCount; i++)
            {
                if (!chain.IsLeafCopy(i))
                {
                    hash.AddBytes(chain.Other(i));
                }
            }

            return hash.ToHashCode();
        }

        public bool Equals(CacheKey? x, CacheKey? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }

            if (x is null || y is null || x.Hash != y.Hash || !x.Identity.Equals(y.Identity)
                || !x.Leaf.AsSpan().SequenceEqual(y.Leaf) || x.Others.Length != y.Others.Length)
            {
                return false;
            }

            for (int i = 0; i < x.Others.Length; i++)
            {
                if (!x.Others[i].AsSpan().SequenceEqual(y.Others[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(CacheKey obj) => obj.Hash;

        public bool Equals(PresentedChain alternate, CacheKey other)
        {
            if (!alternate.Identity.Equals(other.Identity) || !alternate.Leaf.SequenceEqual(other.Leaf))
            {
                return false;
            }

            // The stored key holds the other certificates in order, without copies of the leaf.
            int matched = 0;
            for (int i = 0; i < alternate.OtherCount; i++)
            {
                if (alternate.IsLeafCopy(i))
                {
                    continue;
                }

                if (matched == other.Others.Length || !alternate.Other(i).SequenceEqual(other.Others[matched]))
                {
                    return false;
                }

                matched++;
            }

            return matched == other.Others.Length;
        }

        public int GetHashCode(PresentedChain alternate) => HashOf(alternate);

        public CacheKey Create(PresentedChain alternate) => CacheKey.Create(alternate);
    }
}
