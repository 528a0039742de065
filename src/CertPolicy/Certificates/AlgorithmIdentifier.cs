using System.Formats.Asn1;

namespace CertPolicy;

/// <summary>An AlgorithmIdentifier: the algorithm's object identifier and its parameters, if any.</summary>
internal sealed class AlgorithmIdentifier
{
    private AlgorithmIdentifier(string oid, ReadOnlyMemory<byte>? parameters, ReadOnlyMemory<byte> encoded)
    {
        Oid = oid;
        Parameters = parameters;
        Encoded = encoded;
    }

    public string Oid { get; }

    /// <summary>The DER of the parameters (tag included), or null when absent.</summary>
    public ReadOnlyMemory<byte>? Parameters { get; }

    /// <summary>The DER of the whole AlgorithmIdentifier.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>True when the parameters are absent or an ASN.1 NULL.</summary>
    public bool HasNoOrNullParameters =>
        Parameters is not { } parameters || parameters.Span.SequenceEqual(stackalloc byte[] { 0x05, 0x00 });

    /// <summary>True when the parameters are absent.</summary>
    public bool HasNoParameters => Parameters is null;

    public static AlgorithmIdentifier Read(AsnReader reader)
    {
        ReadOnlyMemory<byte> encoded = reader.PeekEncodedValue();
        AsnReader sequence = reader.ReadSequence();
        string oid = sequence.ReadObjectIdentifier();
        ReadOnlyMemory<byte>? parameters = sequence.HasData ? sequence.ReadEncodedValue() : (ReadOnlyMemory<byte>?)null;
        sequence.ThrowIfNotEmpty();
        return new AlgorithmIdentifier(oid, parameters, encoded);
    }
}
