using System.Formats.Asn1;

namespace CertPolicy;

/// <summary>The forms of GeneralName (RFC 5280 4.2.1.6); the value is the context tag number.</summary>
internal enum GeneralNameKind
{
    OtherName = 0,
    Rfc822Name = 1,
    DnsName = 2,
    X400Address = 3,
    DirectoryName = 4,
    EdiPartyName = 5,
    Uri = 6,
    IPAddress = 7,
    RegisteredId = 8,
}

/// <summary>One GeneralName: its form and its value (text for the IA5String forms, bytes for iPAddress, a name for directoryName).</summary>
internal sealed class GeneralName
{
    private GeneralName(GeneralNameKind kind, string? text, ReadOnlyMemory<byte> bytes, DistinguishedName? directory)
    {
        Kind = kind;
        Text = text;
        Bytes = bytes;
        Directory = directory;
    }

    public GeneralNameKind Kind { get; }

    /// <summary>The value of rfc822Name, dNSName, uniformResourceIdentifier and registeredID (dotted).</summary>
    public string? Text { get; }

    /// <summary>The octets of iPAddress, or the DER of the forms this library does not interpret.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The name of directoryName.</summary>
    public DistinguishedName? Directory { get; }

    /// <summary>Reads one GeneralName.</summary>
    /// <exception cref="AsnContentException">The name is not valid DER (including non-ASCII text in an IA5String form).</exception>
    public static GeneralName Read(AsnReader reader)
    {
        Asn1Tag tag = reader.PeekTag();
        if (tag.TagClass != TagClass.ContextSpecific || tag.TagValue > 8)
        {
            throw new AsnContentException("A GeneralName has an unknown tag.");
        }

        var kind = (GeneralNameKind)tag.TagValue;
        switch (kind)
        {
            case GeneralNameKind.Rfc822Name:
            case GeneralNameKind.DnsName:
            case GeneralNameKind.Uri:
                return new GeneralName(kind, ReadIa5(reader, new Asn1Tag(TagClass.ContextSpecific, tag.TagValue)), default, null);
            case GeneralNameKind.IPAddress:
                return new GeneralName(kind, null, reader.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 7)), null);
            case GeneralNameKind.RegisteredId:
                return new GeneralName(kind, reader.ReadObjectIdentifier(new Asn1Tag(TagClass.ContextSpecific, 8)), default, null);
            case GeneralNameKind.DirectoryName:
                AsnReader inner = reader.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 4, isConstructed: true));
                DistinguishedName name = DistinguishedName.Read(inner);
                inner.ThrowIfNotEmpty();
                return new GeneralName(kind, null, default, name);
            default:
                if (!tag.IsConstructed)
                {
                    throw new AsnContentException("A GeneralName of a constructed form is primitive.");
                }

                return new GeneralName(kind, null, reader.ReadEncodedValue(), null);
        }
    }

    /// <summary>Reads GeneralNames (SEQUENCE SIZE (1..MAX) OF GeneralName); an empty sequence is an error.</summary>
    public static GeneralName[] ReadSequence(AsnReader reader, Asn1Tag? tag = null)
    {
        AsnReader sequence = reader.ReadSequence(tag);
        var names = new List<GeneralName>();
        while (sequence.HasData)
        {
            names.Add(Read(sequence));
        }

        if (names.Count == 0)
        {
            throw new AsnContentException("GeneralNames is empty.");
        }

        return [.. names];
    }

    private static string ReadIa5(AsnReader reader, Asn1Tag tag)
    {
        // IA5String is ASCII: a byte above 0x7F is an encoding error, never a character.
        ReadOnlyMemory<byte> contents = reader.ReadOctetString(tag);
        ReadOnlySpan<byte> span = contents.Span;
        var chars = new char[span.Length];
        for (int i = 0; i < span.Length; i++)
        {
            if (span[i] > 0x7F)
            {
                throw new AsnContentException("An IA5String holds a byte outside ASCII.");
            }

            chars[i] = (char)span[i];
        }

        return new string(chars);
    }
}
