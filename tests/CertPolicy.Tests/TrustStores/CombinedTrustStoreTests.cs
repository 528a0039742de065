using static CertPolicy.Tests.TrustStores.TrustStoreCertificates;

namespace CertPolicy.Tests.TrustStores;

public sealed class CombinedTrustStoreTests
{
    [Fact]
    public void The_union_keeps_each_certificate_once()
    {
        TrustStore combined = TrustStore.Combine(TrustStore.FromCertificates([RootA, RootB]), TrustStore.FromCertificates([RootB, RootC]));

        Assert.Equal([RootA.RawData, RootB.RawData, RootC.RawData], combined.GetAnchors().Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void The_same_snapshot_is_returned_while_no_member_changes()
    {
        TrustStore combined = TrustStore.Combine(TrustStore.FromCertificates([RootA]), TrustStore.FromCertificates([RootB]));

        Assert.Same(combined.GetAnchors(), combined.GetAnchors());
    }

    [Fact]
    public void The_snapshot_is_rebuilt_when_a_member_changes()
    {
        var changing = new SwappableTrustStore(new TrustAnchors([RootB.RawData]));
        TrustStore combined = TrustStore.Combine(TrustStore.FromCertificates([RootA]), changing);
        TrustAnchors before = combined.GetAnchors();

        changing.Anchors = new TrustAnchors([RootC.RawData]);
        TrustAnchors after = combined.GetAnchors();

        Assert.NotSame(before, after);
        Assert.Equal([RootA.RawData, RootC.RawData], after.Certificates.Select(c => c.ToArray()));
        Assert.Same(after, combined.GetAnchors());
    }

    [Fact]
    public void A_single_member_snapshot_is_passed_through()
    {
        TrustStore only = TrustStore.FromCertificates([RootA]);

        Assert.Same(only.GetAnchors(), TrustStore.Combine(only).GetAnchors());
    }

    [Fact]
    public void Combining_no_store_trusts_nothing()
    {
        Assert.Equal(0, TrustStore.Combine().GetAnchors().Count);
    }

    [Fact]
    public void Combined_stores_nest()
    {
        TrustStore inner = TrustStore.Combine(TrustStore.FromCertificates([RootA]), TrustStore.FromCertificates([RootB]));
        TrustStore outer = TrustStore.Combine(inner, TrustStore.FromCertificates([RootA, RootC]));

        Assert.Equal(3, outer.GetAnchors().Count);
        Assert.Same(outer.GetAnchors(), outer.GetAnchors());
    }

    [Fact]
    public void A_null_member_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => TrustStore.Combine(TrustStore.FromCertificates([RootA]), null!));
        Assert.Throws<ArgumentNullException>(() => TrustStore.Combine((IEnumerable<TrustStore>)null!));
    }

    [Fact]
    public void A_member_returning_null_anchors_fails_rather_than_trusting_less_silently()
    {
        TrustStore combined = TrustStore.Combine(TrustStore.FromCertificates([RootA]), new SwappableTrustStore(null!));

        Assert.Throws<InvalidOperationException>(combined.GetAnchors);
    }

    [Fact]
    public void Reading_an_unchanged_union_allocates_nothing()
    {
        TrustStore combined = TrustStore.Combine(TrustStore.FromCertificates([RootA]), TrustStore.FromCertificates([RootB]), TrustStore.System);
        _ = combined.GetAnchors();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            _ = combined.GetAnchors();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Concurrent_readers_of_an_unchanged_union_all_see_one_snapshot()
    {
        TrustStore combined = TrustStore.Combine(TrustStore.FromCertificates([RootA]), TrustStore.FromCertificates([RootB]));
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<TrustAnchors, byte>(ReferenceEqualityComparer.Instance);

        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => seen.TryAdd(combined.GetAnchors(), 0));

        Assert.Single(seen);
    }

    [Fact]
    public async Task Concurrent_readers_see_consistent_snapshots_while_a_member_changes()
    {
        TrustAnchors withB = new([RootB.RawData]);
        TrustAnchors withC = new([RootC.RawData]);
        var changing = new SwappableTrustStore(withB);
        TrustStore combined = TrustStore.Combine(TrustStore.FromCertificates([RootA]), changing);
        byte[][] expectedWithB = [RootA.RawData, RootB.RawData];
        byte[][] expectedWithC = [RootA.RawData, RootC.RawData];
        int inconsistent = 0;
        int writerDone = 0;
        CancellationToken cancel = TestContext.Current.CancellationToken;

        Task[] readers = [.. Enumerable.Range(0, 3).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 20_000 && Volatile.Read(ref writerDone) == 0; i++)
            {
                byte[][] certificates = [.. combined.GetAnchors().Certificates.Select(c => c.ToArray())];
                if (!Matches(certificates, expectedWithB) && !Matches(certificates, expectedWithC))
                {
                    Interlocked.Increment(ref inconsistent);
                }
            }
        }, cancel))];
        Task writer = Task.Run(() =>
        {
            for (int i = 0; i < 2_000; i++)
            {
                changing.Anchors = i % 2 == 0 ? withC : withB;
                _ = combined.GetAnchors();
            }

            Volatile.Write(ref writerDone, 1);
        }, cancel);

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromMinutes(1), cancel);
        Assert.Equal(0, inconsistent);

        changing.Anchors = withC;
        Assert.Equal(expectedWithC, combined.GetAnchors().Certificates.Select(c => c.ToArray()));
    }

    private static bool Matches(byte[][] actual, byte[][] expected) =>
        actual.Length == expected.Length && actual.Zip(expected).All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));

    /// <summary>A store whose anchors another thread may replace, as a refreshing store would.</summary>
    private sealed class SwappableTrustStore(TrustAnchors anchors) : TrustStore
    {
        private volatile TrustAnchors _anchors = anchors;

        public TrustAnchors Anchors
        {
            get => _anchors;
            set => _anchors = value;
        }

        public override TrustAnchors GetAnchors() => _anchors;
    }
}
