using System.Formats.Asn1;

namespace CertPolicy;

/// <summary>One extension as encoded: its identifier, criticality and value (the contents of extnValue).</summary>
internal sealed record CertificateExtension(string Oid, bool Critical, ReadOnlyMemory<byte> Value);

/// <summary>Something wrong with a certificate found while parsing it; it counts only when the certificate is used in a path.</summary>
/// <param name="Kind">The problem's kind.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="MayConstrain">
/// True when the defect hides what the certificate might constrain (an extension that cannot be read, a critical one
/// that is not understood, malformed name constraints): it refuses even a trust anchor held only to its name and key.
/// </param>
internal sealed record CertificateDefect(CertificateProblemKinds Kind, string Message, bool MayConstrain = false);

/// <summary>The key usage bits (RFC 5280 4.2.1.3), bit 0 first.</summary>
[Flags]
internal enum KeyUsageBits
{
    None = 0,
    DigitalSignature = 1 << 0,
    NonRepudiation = 1 << 1,
    KeyEncipherment = 1 << 2,
    DataEncipherment = 1 << 3,
    KeyAgreement = 1 << 4,
    KeyCertSign = 1 << 5,
    CrlSign = 1 << 6,
    EncipherOnly = 1 << 7,
    DecipherOnly = 1 << 8,
}

internal sealed record BasicConstraintsExtension(bool IsCertificateAuthority, int? PathLength, bool Critical)
{
    public static BasicConstraintsExtension Decode(ReadOnlyMemory<byte> value, bool critical)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        bool ca = false;
        int? pathLength = null;
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
        {
            ca = sequence.ReadBoolean();
        }

        if (sequence.HasData)
        {
            if (!sequence.TryReadInt32(out int length) || length < 0)
            {
                throw new AsnContentException("pathLenConstraint is negative or too large.");
            }

            pathLength = length;
        }

        sequence.ThrowIfNotEmpty();
        return new BasicConstraintsExtension(ca, pathLength, critical);
    }
}

internal sealed record KeyUsageExtension(KeyUsageBits Bits, bool Critical)
{
    public bool Has(KeyUsageBits bits) => (Bits & bits) == bits;

    public static KeyUsageExtension Decode(ReadOnlyMemory<byte> value, bool critical)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        byte[] bytes = reader.ReadBitString(out _);
        reader.ThrowIfNotEmpty();
        int bits = 0;
        for (int i = 0; i < bytes.Length && i < 2; i++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                if ((bytes[i] & (0x80 >> bit)) != 0)
                {
                    bits |= 1 << ((i * 8) + bit);
                }
            }
        }

        return new KeyUsageExtension((KeyUsageBits)(bits & 0x1FF), critical);
    }
}

internal sealed record ExtendedKeyUsageExtension(string[] Purposes, bool Critical)
{
    public bool Contains(string purpose) => Array.IndexOf(Purposes, purpose) >= 0;

    public static ExtendedKeyUsageExtension Decode(ReadOnlyMemory<byte> value, bool critical)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var purposes = new List<string>();
        while (sequence.HasData)
        {
            purposes.Add(sequence.ReadObjectIdentifier());
        }

        return new ExtendedKeyUsageExtension([.. purposes], critical);
    }
}

internal sealed record AuthorityKeyIdentifierExtension(ReadOnlyMemory<byte>? KeyIdentifier, bool HasIssuer, bool HasSerialNumber, bool Critical)
{
    public static AuthorityKeyIdentifierExtension Decode(ReadOnlyMemory<byte> value, bool critical)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        ReadOnlyMemory<byte>? keyIdentifier = null;
        bool hasIssuer = false;
        bool hasSerial = false;
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            keyIdentifier = sequence.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0));
        }

        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            _ = GeneralName.ReadSequence(sequence, new Asn1Tag(TagClass.ContextSpecific, 1, true));
            hasIssuer = true;
        }

        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
        {
            _ = sequence.ReadIntegerBytes(new Asn1Tag(TagClass.ContextSpecific, 2));
            hasSerial = true;
        }

        sequence.ThrowIfNotEmpty();
        return new AuthorityKeyIdentifierExtension(keyIdentifier, hasIssuer, hasSerial, critical);
    }
}

/// <summary>One GeneralSubtree of a name constraint; only base is meaningful (minimum 0, no maximum).</summary>
internal sealed record GeneralSubtree(GeneralName Base);

internal sealed record NameConstraintsExtension(GeneralSubtree[] Permitted, GeneralSubtree[] Excluded, bool Critical)
{
    public int Count => Permitted.Length + Excluded.Length;

    public static NameConstraintsExtension Decode(ReadOnlyMemory<byte> value, bool critical)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        GeneralSubtree[] permitted = [];
        GeneralSubtree[] excluded = [];
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            permitted = ReadSubtrees(sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)));
        }

        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            excluded = ReadSubtrees(sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 1, true)));
        }

        sequence.ThrowIfNotEmpty();
        return new NameConstraintsExtension(permitted, excluded, critical);
    }

    private static GeneralSubtree[] ReadSubtrees(AsnReader subtrees)
    {
        var list = new List<GeneralSubtree>();
        while (subtrees.HasData)
        {
            AsnReader subtree = subtrees.ReadSequence();
            GeneralName name = GeneralName.Read(subtree);
            if (subtree.HasData && subtree.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                if (!subtree.TryReadInt32(out int minimum, new Asn1Tag(TagClass.ContextSpecific, 0)) || minimum != 0)
                {
                    throw new AsnContentException("A GeneralSubtree has a minimum other than 0.");
                }
            }

            if (subtree.HasData)
            {
                throw new AsnContentException("A GeneralSubtree has a maximum, which RFC 5280 forbids.");
            }

            list.Add(new GeneralSubtree(name));
        }

        // GeneralSubtrees is SIZE (1..MAX): a list that is present names at least one subtree. Whether an empty
        // permittedSubtrees permits nothing or constrains nothing is anyone's guess, so it is refused as malformed.
        if (list.Count == 0)
        {
            throw new AsnContentException("permittedSubtrees or excludedSubtrees is present but empty.");
        }

        return [.. list];
    }
}

/// <summary>One DistributionPoint of a CRL distribution points extension.</summary>
internal sealed record DistributionPoint(GeneralName[]? FullName, bool HasRelativeName, bool HasReasons, bool HasCrlIssuer)
{
    public static DistributionPoint[] DecodeList(ReadOnlyMemory<byte> value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        var points = new List<DistributionPoint>();
        while (sequence.HasData)
        {
            AsnReader point = sequence.ReadSequence();
            GeneralName[]? fullName = null;
            bool relative = false;
            bool reasons = false;
            bool issuer = false;
            if (point.HasData && point.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                (fullName, relative) = ReadDistributionPointName(point.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)));
            }

            if (point.HasData && point.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                _ = point.ReadBitString(out _, new Asn1Tag(TagClass.ContextSpecific, 1));
                reasons = true;
            }

            if (point.HasData && point.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 2)))
            {
                _ = GeneralName.ReadSequence(point, new Asn1Tag(TagClass.ContextSpecific, 2, true));
                issuer = true;
            }

            point.ThrowIfNotEmpty();
            points.Add(new DistributionPoint(fullName, relative, reasons, issuer));
        }

        if (points.Count == 0)
        {
            throw new AsnContentException("CRLDistributionPoints is empty.");
        }

        return [.. points];
    }

    /// <summary>Reads the contents of a DistributionPointName (the explicit [0] wrapper already opened).</summary>
    public static (GeneralName[]? FullName, bool Relative) ReadDistributionPointName(AsnReader name)
    {
        GeneralName[]? fullName = null;
        bool relative = false;
        Asn1Tag tag = name.PeekTag();
        if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            fullName = GeneralName.ReadSequence(name, new Asn1Tag(TagClass.ContextSpecific, 0, true));
        }
        else if (tag.HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 1)))
        {
            _ = name.ReadEncodedValue();
            relative = true;
        }
        else
        {
            throw new AsnContentException("A DistributionPointName has an unknown form.");
        }

        name.ThrowIfNotEmpty();
        return (fullName, relative);
    }
}
