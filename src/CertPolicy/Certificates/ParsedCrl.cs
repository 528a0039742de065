using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;

namespace CertPolicy;

/// <summary>The issuingDistributionPoint extension of a CRL: which certificates the CRL covers.</summary>
internal sealed record IssuingDistributionPoint(
    GeneralName[]? FullName,
    bool HasRelativeName,
    bool OnlyContainsUserCertificates,
    bool OnlyContainsCACertificates,
    bool HasOnlySomeReasons,
    bool IsIndirect,
    bool OnlyContainsAttributeCertificates);

/// <summary>
/// A certificate revocation list decoded once (DER). <see cref="UnusableReason"/> says, independently of time and
/// issuer, why the CRL can never decide a status (missing CRL number, unknown critical extension, duplicate
/// entries, partitions this library does not support, ...).
/// </summary>
internal sealed class ParsedCrl
{
    private static readonly HashSet<string> HandledEntryExtensions = new(StringComparer.Ordinal) { Oids.CrlReasonCode, Oids.InvalidityDate };

    private ParsedCrl(ReadOnlyMemory<byte> encoded)
    {
        Encoded = encoded;
    }

    public ReadOnlyMemory<byte> Encoded { get; }

    public ReadOnlyMemory<byte> TbsCertList { get; private set; }

    public AlgorithmIdentifier SignatureAlgorithm { get; private set; } = null!;

    public ReadOnlyMemory<byte> Signature { get; private set; }

    public DistinguishedName Issuer { get; private set; } = null!;

    public DateTimeOffset ThisUpdate { get; private set; }

    public DateTimeOffset? NextUpdate { get; private set; }

    /// <summary>The authorityKeyIdentifier keyIdentifier, when present.</summary>
    public ReadOnlyMemory<byte>? AuthorityKeyIdentifier { get; private set; }

    public IssuingDistributionPoint? DistributionPoint { get; private set; }

    /// <summary>Why the CRL can never decide a certificate's status, or null.</summary>
    public string? UnusableReason { get; private set; }

    private HashSet<string> RevokedSerials { get; } = new(StringComparer.Ordinal);

    /// <summary>True when the CRL lists the serial number (contents of the INTEGER).</summary>
    public bool Lists(ReadOnlyMemory<byte> serialNumber) => RevokedSerials.Contains(Convert.ToHexString(serialNumber.Span));

    /// <summary>Parses a CRL; never throws for bad input.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> der, [NotNullWhen(true)] out ParsedCrl? crl, [NotNullWhen(false)] out string? error)
    {
        crl = null;
        if (der.IsEmpty)
        {
            error = "The CRL is empty.";
            return false;
        }

        try
        {
            var parsed = new ParsedCrl(der);
            parsed.Decode();
            crl = parsed;
            error = null;
            return true;
        }
        catch (AsnContentException e)
        {
            error = "The CRL is not valid DER: " + e.Message;
            return false;
        }
        catch (CryptographicException e)
        {
            error = "The CRL cannot be decoded: " + e.Message;
            return false;
        }
        catch (ArgumentException e)
        {
            error = "The CRL cannot be decoded: " + e.Message;
            return false;
        }
    }

    private void Decode()
    {
        var reader = new AsnReader(Encoded, AsnEncodingRules.DER);
        AsnReader list = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        TbsCertList = list.PeekEncodedValue();
        AsnReader tbs = list.ReadSequence();
        SignatureAlgorithm = AlgorithmIdentifier.Read(list);
        Signature = list.ReadBitString(out int unused);
        list.ThrowIfNotEmpty();
        if (unused != 0)
        {
            throw new AsnContentException("The signature is not a whole number of bytes.");
        }

        var problems = new List<string>();
        bool isV2 = false;
        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            if (!tbs.TryReadInt32(out int version) || version != 1)
            {
                throw new AsnContentException("The CRL version is not v2.");
            }

            isV2 = true;
        }

        AlgorithmIdentifier inner = AlgorithmIdentifier.Read(tbs);
        if (!inner.Encoded.Span.SequenceEqual(SignatureAlgorithm.Encoded.Span))
        {
            problems.Add("its signature algorithm outside the signed part differs from the one inside it");
        }

        Issuer = DistinguishedName.Read(tbs);
        ThisUpdate = ParsedCertificate.ReadTime(tbs);
        if (tbs.HasData && (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) || tbs.PeekTag().HasSameClassAndValue(Asn1Tag.GeneralizedTime)))
        {
            NextUpdate = ParsedCertificate.ReadTime(tbs);
        }
        else
        {
            problems.Add("it has no nextUpdate");
        }

        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            ReadEntries(tbs.ReadSequence(), problems);
        }

        bool hasCrlNumber = false;
        if (tbs.HasData)
        {
            if (!isV2)
            {
                throw new AsnContentException("A v1 CRL has extensions.");
            }

            AsnReader wrapper = tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true));
            AsnReader extensions = wrapper.ReadSequence();
            wrapper.ThrowIfNotEmpty();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (extensions.HasData)
            {
                AsnReader extension = extensions.ReadSequence();
                string oid = extension.ReadObjectIdentifier();
                bool critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
                byte[] value = extension.ReadOctetString();
                extension.ThrowIfNotEmpty();
                if (!seen.Add(oid))
                {
                    problems.Add($"the extension {oid} appears more than once");
                    continue;
                }

                switch (oid)
                {
                    case Oids.CrlNumber:
                        var number = new AsnReader(value, AsnEncodingRules.DER);
                        _ = number.ReadIntegerBytes();
                        number.ThrowIfNotEmpty();
                        hasCrlNumber = true;
                        if (critical)
                        {
                            problems.Add("its cRLNumber extension is marked critical");
                        }

                        break;
                    case Oids.AuthorityKeyIdentifier:
                        AuthorityKeyIdentifier = AuthorityKeyIdentifierExtension.Decode(value, critical).KeyIdentifier;
                        break;
                    case Oids.IssuingDistributionPoint:
                        DistributionPoint = ReadIssuingDistributionPoint(value);
                        break;
                    case Oids.IssuerAlternativeName:
                        break;
                    default:
                        if (critical)
                        {
                            problems.Add(oid == Oids.DeltaCrlIndicator
                                ? "it is a delta CRL, which this library does not combine"
                                : $"it has the critical extension {oid}, which is not understood");
                        }

                        break;
                }
            }
        }

        tbs.ThrowIfNotEmpty();
        if (!hasCrlNumber)
        {
            problems.Add("it has no cRLNumber extension (RFC 5280 5.2.3)");
        }

        if (DistributionPoint is { } point)
        {
            if (point.IsIndirect)
            {
                problems.Add("it is an indirect CRL, which this library does not support");
            }

            if (point.HasOnlySomeReasons)
            {
                problems.Add("it covers only some revocation reasons");
            }

            if (point.HasRelativeName)
            {
                problems.Add("its issuing distribution point uses nameRelativeToCRLIssuer");
            }
        }

        UnusableReason = problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private void ReadEntries(AsnReader entries, List<string> problems)
    {
        bool duplicate = false;
        bool unknownCritical = false;
        while (entries.HasData)
        {
            AsnReader entry = entries.ReadSequence();
            ReadOnlyMemory<byte> serial = entry.ReadIntegerBytes();
            _ = ParsedCertificate.ReadTime(entry);
            if (entry.HasData)
            {
                AsnReader extensions = entry.ReadSequence();
                while (extensions.HasData)
                {
                    AsnReader extension = extensions.ReadSequence();
                    string oid = extension.ReadObjectIdentifier();
                    bool critical = extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean) && extension.ReadBoolean();
                    _ = extension.ReadOctetString();
                    extension.ThrowIfNotEmpty();
                    unknownCritical |= critical && !HandledEntryExtensions.Contains(oid);
                }
            }

            entry.ThrowIfNotEmpty();
            duplicate |= !RevokedSerials.Add(Convert.ToHexString(serial.Span));
        }

        if (duplicate)
        {
            problems.Add("it lists the same serial number more than once");
        }

        if (unknownCritical)
        {
            problems.Add("an entry has a critical extension that is not understood");
        }
    }

    private static IssuingDistributionPoint ReadIssuingDistributionPoint(byte[] value)
    {
        var reader = new AsnReader(value, AsnEncodingRules.DER);
        AsnReader sequence = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        GeneralName[]? fullName = null;
        bool relative = false;
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            (fullName, relative) = CertPolicy.DistributionPoint.ReadDistributionPointName(sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)));
        }

        bool onlyUser = ReadFlag(sequence, 1);
        bool onlyCa = ReadFlag(sequence, 2);
        bool someReasons = false;
        if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 3)))
        {
            _ = sequence.ReadBitString(out _, new Asn1Tag(TagClass.ContextSpecific, 3));
            someReasons = true;
        }

        bool indirect = ReadFlag(sequence, 4);
        bool onlyAttribute = ReadFlag(sequence, 5);
        sequence.ThrowIfNotEmpty();
        return new IssuingDistributionPoint(fullName, relative, onlyUser, onlyCa, someReasons, indirect, onlyAttribute);
    }

    private static bool ReadFlag(AsnReader sequence, int tag)
    {
        var expected = new Asn1Tag(TagClass.ContextSpecific, tag);
        return sequence.HasData && sequence.PeekTag().HasSameClassAndValue(expected) && sequence.ReadBoolean(expected);
    }
}
