using System.Formats.Asn1;
using System.Globalization;
using System.Text;

namespace CertPolicy;

/// <summary>One attribute of a distinguished name: its type, its encoded value, and its text when it is a string.</summary>
internal sealed class NameAttribute
{
    public NameAttribute(string oid, ReadOnlyMemory<byte> encodedValue, string? text)
    {
        Oid = oid;
        EncodedValue = encodedValue;
        Text = text;
        Canonical = text is null
            ? "#" + Convert.ToHexString(encodedValue.Span)
            : NormalizeText(text);
    }

    /// <summary>The attribute type.</summary>
    public string Oid { get; }

    /// <summary>The DER of the value (tag, length and contents).</summary>
    public ReadOnlyMemory<byte> EncodedValue { get; }

    /// <summary>The value as text, when it is one of the string types and decodes; otherwise null.</summary>
    public string? Text { get; }

    /// <summary>The value in the form RFC 5280 7.1 compares: case-folded, with insignificant spaces removed.</summary>
    public string Canonical { get; }

    private static string NormalizeText(string text)
    {
        ReadOnlySpan<char> trimmed = text.AsSpan().Trim(' ');
        var builder = new StringBuilder(trimmed.Length);
        bool space = false;
        foreach (char c in trimmed)
        {
            if (c == ' ')
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}

/// <summary>
/// An X.501 Name as the certificate encodes it: an ordered list of relative distinguished names, each a set of
/// attributes. Two names are equal when they match under RFC 5280 7.1 (case-insensitive, insignificant spaces
/// ignored), which <see cref="CanonicalKey"/> captures.
/// </summary>
internal sealed class DistinguishedName : IEquatable<DistinguishedName>
{
    private static readonly Dictionary<string, string> ShortNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN",
        ["2.5.4.4"] = "SN",
        ["2.5.4.5"] = "SERIALNUMBER",
        ["2.5.4.6"] = "C",
        ["2.5.4.7"] = "L",
        ["2.5.4.8"] = "S",
        ["2.5.4.9"] = "STREET",
        ["2.5.4.10"] = "O",
        ["2.5.4.11"] = "OU",
        ["2.5.4.12"] = "T",
        ["2.5.4.42"] = "G",
        ["2.5.4.43"] = "I",
        ["0.9.2342.19200300.100.1.25"] = "DC",
        ["0.9.2342.19200300.100.1.1"] = "UID",
        [Oids.EmailAddress] = "E",
    };

    private DistinguishedName(ReadOnlyMemory<byte> encoded, NameAttribute[][] rdns)
    {
        Encoded = encoded;
        Rdns = rdns;
        var key = new StringBuilder();
        foreach (NameAttribute[] rdn in rdns)
        {
            key.Append('/');
            for (int i = 0; i < rdn.Length; i++)
            {
                if (i > 0)
                {
                    key.Append('+');
                }

                AppendKeyPart(key, rdn[i].Oid);
                AppendKeyPart(key, rdn[i].Canonical);
            }
        }

        CanonicalKey = key.ToString();
    }

    /// <summary>The DER of the whole Name.</summary>
    public ReadOnlyMemory<byte> Encoded { get; }

    /// <summary>The relative distinguished names, in encoded order (most significant first); each RDN's attributes sorted canonically.</summary>
    public IReadOnlyList<NameAttribute[]> Rdns { get; }

    /// <summary>True when the name has no RDN.</summary>
    public bool IsEmpty => Rdns.Count == 0;

    /// <summary>A string equal for two names exactly when they match under RFC 5280 7.1.</summary>
    public string CanonicalKey { get; }

    /// <summary>The number of attributes in all RDNs.</summary>
    public int AttributeCount
    {
        get
        {
            int count = 0;
            foreach (NameAttribute[] rdn in Rdns)
            {
                count += rdn.Length;
            }

            return count;
        }
    }

    /// <summary>Reads a Name (SEQUENCE OF SET OF AttributeTypeAndValue) from the reader.</summary>
    /// <exception cref="AsnContentException">The name is not valid DER.</exception>
    public static DistinguishedName Read(AsnReader reader)
    {
        ReadOnlyMemory<byte> encoded = reader.PeekEncodedValue();
        AsnReader sequence = reader.ReadSequence();
        var rdns = new List<NameAttribute[]>();
        while (sequence.HasData)
        {
            AsnReader set = sequence.ReadSetOf();
            var attributes = new List<NameAttribute>();
            while (set.HasData)
            {
                AsnReader attribute = set.ReadSequence();
                string oid = attribute.ReadObjectIdentifier();
                ReadOnlyMemory<byte> value = attribute.ReadEncodedValue();
                attribute.ThrowIfNotEmpty();
                attributes.Add(new NameAttribute(oid, value, DecodeText(value)));
            }

            if (attributes.Count == 0)
            {
                throw new AsnContentException("A relative distinguished name is empty.");
            }

            attributes.Sort(static (a, b) =>
            {
                int byOid = string.CompareOrdinal(a.Oid, b.Oid);
                return byOid != 0 ? byOid : string.CompareOrdinal(a.Canonical, b.Canonical);
            });
            rdns.Add([.. attributes]);
        }

        return new DistinguishedName(encoded, [.. rdns]);
    }

    /// <summary>Reads a Name from its complete DER.</summary>
    public static DistinguishedName Decode(ReadOnlyMemory<byte> der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        DistinguishedName name = Read(reader);
        reader.ThrowIfNotEmpty();
        return name;
    }

    /// <summary>The values of every attribute of the given type, in order, as text (undecodable values as hexadecimal).</summary>
    public List<string> ValuesOf(string oid)
    {
        var values = new List<string>();
        foreach (NameAttribute[] rdn in Rdns)
        {
            foreach (NameAttribute attribute in rdn)
            {
                if (string.Equals(attribute.Oid, oid, StringComparison.Ordinal))
                {
                    values.Add(attribute.Text ?? "#" + Convert.ToHexString(attribute.EncodedValue.Span));
                }
            }
        }

        return values;
    }

    /// <summary>True when this name lies in the subtree of <paramref name="constraint"/> (its RDNs begin with the constraint's).</summary>
    public bool IsWithin(DistinguishedName constraint)
    {
        if (constraint.Rdns.Count > Rdns.Count)
        {
            return false;
        }

        for (int i = 0; i < constraint.Rdns.Count; i++)
        {
            NameAttribute[] mine = Rdns[i];
            NameAttribute[] theirs = constraint.Rdns[i];
            if (mine.Length != theirs.Length)
            {
                return false;
            }

            for (int j = 0; j < mine.Length; j++)
            {
                if (!string.Equals(mine[j].Oid, theirs[j].Oid, StringComparison.Ordinal) ||
                    !string.Equals(mine[j].Canonical, theirs[j].Canonical, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The name as RFC 4514-style text, most specific RDN first (as Windows and .NET show it).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (int i = Rdns.Count - 1; i >= 0; i--)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            NameAttribute[] rdn = Rdns[i];
            for (int j = 0; j < rdn.Length; j++)
            {
                if (j > 0)
                {
                    text.Append(" + ");
                }

                NameAttribute attribute = rdn[j];
                text.Append(ShortNames.TryGetValue(attribute.Oid, out string? shortName) ? shortName : "OID." + attribute.Oid);
                text.Append('=');
                if (attribute.Text is null)
                {
                    text.Append('#').Append(Convert.ToHexString(attribute.EncodedValue.Span));
                }
                else
                {
                    AppendEscaped(text, attribute.Text);
                }
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(DistinguishedName? other) =>
        other is not null && string.Equals(CanonicalKey, other.CanonicalKey, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DistinguishedName);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(CanonicalKey);

    private static void AppendKeyPart(StringBuilder key, string part) =>
        key.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);

    private static void AppendEscaped(StringBuilder text, string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool escape = c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' or '='
                || (i == 0 && c is '#' or ' ')
                || (i == value.Length - 1 && c == ' ');
            if (escape)
            {
                text.Append('\\');
            }

            if (char.IsControl(c))
            {
                text.Append('\\').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }
    }

    private static readonly UTF32Encoding Utf32BigEndian = new(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true);

    private static string? DecodeText(ReadOnlyMemory<byte> encodedValue)
    {
        try
        {
            var reader = new AsnReader(encodedValue, AsnEncodingRules.BER);
            Asn1Tag tag = reader.PeekTag();
            if (tag.TagClass != TagClass.Universal || tag.IsConstructed)
            {
                return null;
            }

            var type = (UniversalTagNumber)tag.TagValue;
            switch (type)
            {
                case UniversalTagNumber.UTF8String:
                case UniversalTagNumber.PrintableString:
                case UniversalTagNumber.IA5String:
                case UniversalTagNumber.BMPString:
                case UniversalTagNumber.VisibleString:
                case UniversalTagNumber.NumericString:
                case UniversalTagNumber.T61String:
                    return reader.ReadCharacterString(type);
                case UniversalTagNumber.UniversalString:
                    // The platform's reader has no UniversalString decoder (it throws ArgumentException); the primitive
                    // content is UCS-4, that is UTF-32 big-endian.
                    AsnDecoder.ReadEncodedValue(encodedValue.Span, AsnEncodingRules.BER, out int offset, out int length, out _);
                    return Utf32BigEndian.GetString(encodedValue.Span.Slice(offset, length));
                default:
                    return null;
            }
        }
        catch (AsnContentException)
        {
            return LenientText(encodedValue);
        }
        catch (DecoderFallbackException)
        {
            return LenientText(encodedValue);
        }
    }

    /// <summary>A string type whose content breaks its character set (common in old certificates): shown as Latin-1.</summary>
    private static string? LenientText(ReadOnlyMemory<byte> encodedValue)
    {
        try
        {
            AsnDecoder.ReadEncodedValue(encodedValue.Span, AsnEncodingRules.BER, out int offset, out int length, out _);
            return Encoding.Latin1.GetString(encodedValue.Span.Slice(offset, length));
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
