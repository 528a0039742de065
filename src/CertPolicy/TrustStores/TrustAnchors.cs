using System.Collections.ObjectModel;

namespace CertPolicy;

/// <summary>
/// An immutable snapshot of trust anchors: the DER of each certificate, without duplicates, in the order first seen,
/// and the <see cref="TrustAnchorProfile"/> each is held to. Thread-safe.
/// </summary>
public sealed class TrustAnchors
{
    private readonly ReadOnlyMemory<byte>[] _certificates;
    private readonly TrustAnchorProfile[] _profiles;

    /// <summary>Creates a snapshot from certificates' DER, held to <see cref="TrustAnchorProfile.Strict"/>; the bytes are copied and duplicates dropped.</summary>
    /// <param name="certificates">The DER of each anchor.</param>
    /// <exception cref="ArgumentException">An entry is empty.</exception>
    public TrustAnchors(IEnumerable<ReadOnlyMemory<byte>> certificates)
        : this(certificates, TrustAnchorProfile.Strict)
    {
    }

    /// <summary>Creates a snapshot from certificates' DER, each held to <paramref name="profile"/>; the bytes are copied and duplicates dropped.</summary>
    /// <param name="certificates">The DER of each anchor.</param>
    /// <param name="profile">Which certificate-profile rules the anchors must meet themselves.</param>
    /// <exception cref="ArgumentException">An entry is empty, or <paramref name="profile"/> is not defined.</exception>
    public TrustAnchors(IEnumerable<ReadOnlyMemory<byte>> certificates, TrustAnchorProfile profile)
        : this(Distinct(certificates, copy: true), CheckDefined(profile))
    {
    }

    private TrustAnchors(ReadOnlyMemory<byte>[] distinct, TrustAnchorProfile profile)
        : this(distinct, Enumerable.Repeat(profile, distinct.Length).ToArray())
    {
    }

    private TrustAnchors(ReadOnlyMemory<byte>[] distinct, TrustAnchorProfile[] profiles)
    {
        _certificates = distinct;
        _profiles = profiles;
        Certificates = new ReadOnlyCollection<ReadOnlyMemory<byte>>(distinct);
    }

    /// <summary>A snapshot with no anchor: nothing is trusted.</summary>
    public static TrustAnchors Empty { get; } = new(Array.Empty<ReadOnlyMemory<byte>>());

    /// <summary>The DER of each anchor.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Certificates { get; }

    /// <summary>How many anchors there are.</summary>
    public int Count => _certificates.Length;

    /// <summary>Work the path builder keeps for this snapshot (its parsed, indexed anchors).</summary>
    internal object? PathBuilderIndex { get; set; }

    /// <summary>The profile the anchor at <paramref name="index"/> of <see cref="Certificates"/> is held to.</summary>
    internal TrustAnchorProfile ProfileAt(int index) => _profiles[index];

    /// <summary>A snapshot that takes ownership of the buffers: the caller must never change or reuse them.</summary>
    internal static TrustAnchors FromOwnedBuffers(IEnumerable<ReadOnlyMemory<byte>> certificates, TrustAnchorProfile profile) =>
        new(Distinct(certificates, copy: false), CheckDefined(profile));

    /// <summary>The union of several snapshots, sharing their (immutable) buffers.</summary>
    internal static TrustAnchors Union(IReadOnlyList<TrustAnchors> parts)
    {
        int total = 0;
        foreach (TrustAnchors part in parts)
        {
            total += part.Count;
        }

        if (total == 0)
        {
            return Empty;
        }

        // A certificate in several stores is trusted as the most lenient of them trusts it: each store alone would.
        var seen = new Dictionary<ReadOnlyMemory<byte>, int>(total, DerBytesComparer.Instance);
        var list = new List<ReadOnlyMemory<byte>>(total);
        var profiles = new List<TrustAnchorProfile>(total);
        foreach (TrustAnchors part in parts)
        {
            for (int i = 0; i < part._certificates.Length; i++)
            {
                ReadOnlyMemory<byte> certificate = part._certificates[i];
                if (seen.TryGetValue(certificate, out int index))
                {
                    if (part._profiles[i] == TrustAnchorProfile.NameAndKey)
                    {
                        profiles[index] = TrustAnchorProfile.NameAndKey;
                    }

                    continue;
                }

                seen.Add(certificate, list.Count);
                list.Add(certificate);
                profiles.Add(part._profiles[i]);
            }
        }

        return new TrustAnchors([.. list], [.. profiles]);
    }

    private static TrustAnchorProfile CheckDefined(TrustAnchorProfile profile) =>
        profile is TrustAnchorProfile.Strict or TrustAnchorProfile.NameAndKey
            ? profile
            : throw new ArgumentException($"{profile} is not a trust anchor profile.", nameof(profile));

    private static ReadOnlyMemory<byte>[] Distinct(IEnumerable<ReadOnlyMemory<byte>> certificates, bool copy)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var seen = new HashSet<ReadOnlyMemory<byte>>(DerBytesComparer.Instance);
        var list = new List<ReadOnlyMemory<byte>>();
        foreach (ReadOnlyMemory<byte> certificate in certificates)
        {
            if (certificate.IsEmpty)
            {
                throw new ArgumentException("A trust anchor is empty.", nameof(certificates));
            }

            if (seen.Add(certificate))
            {
                list.Add(copy ? certificate.ToArray() : certificate);
            }
        }

        return [.. list];
    }
}
