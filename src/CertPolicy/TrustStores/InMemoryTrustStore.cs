namespace CertPolicy;

/// <summary>A fixed set of anchors held in memory; also what PEM files and directories load into.</summary>
/// <param name="anchors">The anchors.</param>
/// <param name="description">The store in words, such as "the trust store /etc/ems/ca.pem".</param>
internal sealed class InMemoryTrustStore(TrustAnchors anchors, string description) : TrustStore
{
    public override TrustAnchors GetAnchors() => anchors;

    public override string Description => description;

    public override string ToString() => $"{description} ({anchors.Count} anchors)";
}
