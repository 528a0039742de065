using System.Collections.ObjectModel;

namespace CertPolicy;

/// <summary>
/// An immutable snapshot of trust anchors: the DER of each certificate, without duplicates, in the order first seen.
/// Thread-safe.
/// </summary>
public sealed class TrustAnchors
{
    private readonly ReadOnlyMemory<byte>[] _certificates;

    /// <summary>Creates a snapshot from certificates' DER; the bytes are copied and duplicates dropped.</summary>
    /// <param name="certificates">The DER of each anchor.</param>
    /// <exception cref="ArgumentException">An entry is empty.</exception>
    public TrustAnchors(IEnumerable<ReadOnlyMemory<byte>> certificates)
        : this(Distinct(certificates, copy: true))
    {
    }

    private TrustAnchors(ReadOnlyMemory<byte>[] distinct)
    {
        _certificates = distinct;
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

    /// <summary>A snapshot that takes ownership of the buffers: the caller must never change or reuse them.</summary>
    internal static TrustAnchors FromOwnedBuffers(IEnumerable<ReadOnlyMemory<byte>> certificates) =>
        new(Distinct(certificates, copy: false));

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

        var seen = new HashSet<ReadOnlyMemory<byte>>(total, DerBytesComparer.Instance);
        var list = new List<ReadOnlyMemory<byte>>(total);
        foreach (TrustAnchors part in parts)
        {
            foreach (ReadOnlyMemory<byte> certificate in part._certificates)
            {
                if (seen.Add(certificate))
                {
                    list.Add(certificate);
                }
            }
        }

        return new TrustAnchors([.. list]);
    }

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
