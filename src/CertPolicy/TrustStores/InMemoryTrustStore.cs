namespace CertPolicy;

/// <summary>A fixed set of anchors held in memory.</summary>
internal sealed class InMemoryTrustStore(TrustAnchors anchors) : TrustStore
{
    public override TrustAnchors GetAnchors() => anchors;
}
