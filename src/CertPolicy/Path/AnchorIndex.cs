namespace CertPolicy;

/// <summary>
/// The trust anchors of one <see cref="TrustAnchors"/> snapshot, parsed once and indexed by subject. Anchors that do
/// not parse are skipped (a bad entry in a store must not disable the others). Built on first use and kept on the
/// snapshot (<see cref="TrustAnchors.PathBuilderIndex"/>); immutable, so validations on several threads share it.
/// </summary>
internal sealed class AnchorIndex
{
    private readonly Dictionary<string, ParsedCertificate[]> _bySubject;
    private readonly Dictionary<string, ParsedCertificate> _byFingerprint;
    private readonly HashSet<ParsedCertificate> _nameAndKey;

    private AnchorIndex(List<ParsedCertificate> anchors, HashSet<ParsedCertificate> nameAndKey, int skipped)
    {
        Anchors = anchors;
        Skipped = skipped;
        _nameAndKey = nameAndKey;
        _bySubject = anchors
            .GroupBy(a => a.Subject.CanonicalKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        _byFingerprint = new Dictionary<string, ParsedCertificate>(StringComparer.Ordinal);
        foreach (ParsedCertificate anchor in anchors)
        {
            _byFingerprint.TryAdd(anchor.Sha256Fingerprint, anchor);
        }
    }

    /// <summary>Every anchor that parsed.</summary>
    public IReadOnlyList<ParsedCertificate> Anchors { get; }

    /// <summary>How many anchors could not be parsed and were skipped.</summary>
    public int Skipped { get; }

    /// <summary>The index of a snapshot, built and attached to it on first use.</summary>
    public static AnchorIndex For(TrustAnchors snapshot)
    {
        if (snapshot.PathBuilderIndex is AnchorIndex existing)
        {
            return existing;
        }

        var anchors = new List<ParsedCertificate>(snapshot.Count);
        var nameAndKey = new HashSet<ParsedCertificate>(ReferenceEqualityComparer.Instance);
        int skipped = 0;
        for (int i = 0; i < snapshot.Count; i++)
        {
            if (ParsedCertificate.TryParse(snapshot.Certificates[i], out ParsedCertificate? anchor, out _))
            {
                anchors.Add(anchor);
                if (snapshot.ProfileAt(i) == TrustAnchorProfile.NameAndKey)
                {
                    nameAndKey.Add(anchor);
                }
            }
            else
            {
                skipped++;
            }
        }

        var index = new AnchorIndex(anchors, nameAndKey, skipped);

        // Two threads may build the index at once; the results are equivalent, and whichever is stored last is kept.
        snapshot.PathBuilderIndex = index;
        return index;
    }

    /// <summary>The profile an anchor of this index is held to.</summary>
    public TrustAnchorProfile ProfileOf(ParsedCertificate anchor) =>
        _nameAndKey.Contains(anchor) ? TrustAnchorProfile.NameAndKey : TrustAnchorProfile.Strict;

    /// <summary>The anchors whose subject matches the name (RFC 5280 7.1).</summary>
    public ReadOnlySpan<ParsedCertificate> WithSubject(DistinguishedName name) =>
        _bySubject.TryGetValue(name.CanonicalKey, out ParsedCertificate[]? anchors) ? anchors : [];

    /// <summary>The anchor that is exactly this certificate (same DER), if any.</summary>
    public ParsedCertificate? Find(ParsedCertificate certificate) =>
        _byFingerprint.TryGetValue(certificate.Sha256Fingerprint, out ParsedCertificate? anchor) && anchor.Encoded.Span.SequenceEqual(certificate.Encoded.Span)
            ? anchor
            : null;
}
