namespace CertPolicy;

/// <summary>An immutable snapshot of trust anchors: the DER of each certificate, without duplicates.</summary>
public sealed class TrustAnchors
{
    private readonly ReadOnlyMemory<byte>[] _certificates;

    /// <summary>Creates a snapshot from certificates' DER; the bytes are copied and duplicates dropped.</summary>
    /// <param name="certificates">The DER of each anchor.</param>
    public TrustAnchors(IEnumerable<ReadOnlyMemory<byte>> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var list = new List<ReadOnlyMemory<byte>>();
        foreach (ReadOnlyMemory<byte> certificate in certificates)
        {
            if (certificate.IsEmpty)
            {
                throw new ArgumentException("A trust anchor is empty.", nameof(certificates));
            }

            if (seen.Add(Convert.ToBase64String(certificate.Span)))
            {
                list.Add(certificate.ToArray());
            }
        }

        _certificates = [.. list];
    }

    /// <summary>A snapshot with no anchor: nothing is trusted.</summary>
    public static TrustAnchors Empty { get; } = new([]);

    /// <summary>The DER of each anchor.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Certificates => _certificates;

    /// <summary>How many anchors there are.</summary>
    public int Count => _certificates.Length;

    /// <summary>Work the path builder keeps for this snapshot (its parsed, indexed anchors).</summary>
    internal object? PathBuilderIndex { get; set; }
}
