namespace CertPolicy;

/// <summary>A fixed set of anchors held in memory; also what PEM files and directories load into.</summary>
internal sealed class InMemoryTrustStore(TrustAnchors anchors, string description) : TrustStore
{
    public override TrustAnchors GetAnchors() => anchors;

    public override string ToString() => $"{description} ({anchors.Count} anchors)";
}
