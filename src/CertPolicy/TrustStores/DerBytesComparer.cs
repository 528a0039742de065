namespace CertPolicy;

/// <summary>Compares encoded certificates byte for byte.</summary>
internal sealed class DerBytesComparer : IEqualityComparer<ReadOnlyMemory<byte>>
{
    public static DerBytesComparer Instance { get; } = new();

    public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

    public int GetHashCode(ReadOnlyMemory<byte> obj)
    {
        var hash = new HashCode();
        hash.AddBytes(obj.Span);
        return hash.ToHashCode();
    }
}
