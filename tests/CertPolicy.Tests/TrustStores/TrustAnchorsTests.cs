using static CertPolicy.Tests.TrustStores.TrustStoreCertificates;

namespace CertPolicy.Tests.TrustStores;

public sealed class TrustAnchorsTests
{
    [Fact]
    public void The_bytes_are_copied()
    {
        byte[] der = RootA.RawData;
        var anchors = new TrustAnchors([der]);

        der[^1] ^= 0xFF;

        Assert.Equal(RootA.RawData, anchors.Certificates[0].ToArray());
    }

    [Fact]
    public void Duplicates_are_dropped_keeping_first_seen_order()
    {
        var anchors = new TrustAnchors([RootB.RawData, RootA.RawData, RootB.RawData.ToArray()]);

        Assert.Equal([RootB.RawData, RootA.RawData], anchors.Certificates.Select(c => c.ToArray()));
    }

    [Fact]
    public void The_list_cannot_be_changed_through_a_cast()
    {
        var anchors = new TrustAnchors([RootA.RawData]);

        Assert.IsNotType<ReadOnlyMemory<byte>[]>(anchors.Certificates);
        var list = Assert.IsAssignableFrom<IList<ReadOnlyMemory<byte>>>(anchors.Certificates);
        Assert.Throws<NotSupportedException>(() => list[0] = RootB.RawData);
    }

    [Fact]
    public void An_empty_entry_is_an_argument_error()
    {
        Assert.Throws<ArgumentException>(() => new TrustAnchors([RootA.RawData, ReadOnlyMemory<byte>.Empty]));
    }

    [Fact]
    public void Empty_has_no_anchor()
    {
        Assert.Equal(0, TrustAnchors.Empty.Count);
        Assert.Empty(TrustAnchors.Empty.Certificates);
    }

    [Fact]
    public void A_union_keeps_each_certificate_once()
    {
        var first = new TrustAnchors([RootA.RawData, RootB.RawData]);
        var second = new TrustAnchors([RootB.RawData, RootC.RawData]);

        TrustAnchors union = TrustAnchors.Union([first, second]);

        Assert.Equal([RootA.RawData, RootB.RawData, RootC.RawData], union.Certificates.Select(c => c.ToArray()));
    }
}
