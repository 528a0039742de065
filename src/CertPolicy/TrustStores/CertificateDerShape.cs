using System.Formats.Asn1;

namespace CertPolicy;

/// <summary>
/// Checks that bytes have the shape of an X.509 certificate (RFC 5280 section 4.1) in DER: every element a
/// well-formed DER TLV, and the fields of Certificate and TBSCertificate present in order with the right types.
/// It does not interpret names, keys or extensions; the certificate parser does.
/// </summary>
internal static class CertificateDerShape
{
    /// <summary>Deeper nesting than any real certificate has; bounds the walk.</summary>
    private const int MaxDepth = 32;

    private static readonly Asn1Tag VersionTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag IssuerUniqueIdTag = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag SubjectUniqueIdTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 3, isConstructed: true);

    /// <summary>Why the bytes are not a well-formed certificate, or null when they are.</summary>
    public static string? FindProblem(ReadOnlyMemory<byte> der)
    {
        if (der.IsEmpty)
        {
            return "the entry is empty";
        }

        string field = "Certificate";
        try
        {
            if (!IsWellFormedDer(der.Span, 0, out string? encodingProblem))
            {
                return encodingProblem;
            }

            var outer = new AsnReader(der, AsnEncodingRules.DER);
            AsnReader certificate = outer.ReadSequence();
            if (outer.HasData)
            {
                return "there are bytes after the certificate";
            }

            field = "tbsCertificate";
            AsnReader tbs = certificate.ReadSequence();

            field = "version";
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(VersionTag))
            {
                AsnReader version = tbs.ReadSequence(VersionTag);
                if (!version.TryReadInt32(out int value) || value is < 0 or > 2 || version.HasData)
                {
                    return "version is not v1, v2 or v3";
                }
            }

            field = "serialNumber";
            _ = tbs.ReadIntegerBytes();
            field = "signature";
            _ = tbs.ReadSequence();
            field = "issuer";
            _ = tbs.ReadSequence();
            field = "validity";
            AsnReader validity = tbs.ReadSequence();
            ReadTime(validity);
            ReadTime(validity);
            if (validity.HasData)
            {
                return "validity has more than two times";
            }

            field = "subject";
            _ = tbs.ReadSequence();
            field = "subjectPublicKeyInfo";
            _ = tbs.ReadSequence();

            field = "issuerUniqueID";
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(IssuerUniqueIdTag))
            {
                _ = tbs.ReadEncodedValue();
            }

            field = "subjectUniqueID";
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(SubjectUniqueIdTag))
            {
                _ = tbs.ReadEncodedValue();
            }

            field = "extensions";
            if (tbs.HasData)
            {
                AsnReader extensions = tbs.ReadSequence(ExtensionsTag);
                _ = extensions.ReadSequence();
                if (extensions.HasData)
                {
                    return "extensions are followed by other data";
                }
            }

            if (tbs.HasData)
            {
                return "tbsCertificate has unexpected fields after its extensions";
            }

            field = "signatureAlgorithm";
            _ = certificate.ReadSequence();
            field = "signatureValue";
            if (!certificate.TryReadPrimitiveBitString(out _, out _))
            {
                return "signatureValue is not a primitive BIT STRING";
            }

            if (certificate.HasData)
            {
                return "Certificate has unexpected fields after signatureValue";
            }

            return null;
        }
        catch (AsnContentException)
        {
            return $"{field} is missing or malformed";
        }
    }

    private static void ReadTime(AsnReader validity)
    {
        Asn1Tag tag = validity.PeekTag();
        if (tag.HasSameClassAndValue(Asn1Tag.UtcTime))
        {
            _ = validity.ReadUtcTime();
        }
        else
        {
            _ = validity.ReadGeneralizedTime();
        }
    }

    /// <summary>Walks every TLV, descending into constructed ones, so that truncation or bad lengths anywhere are found.</summary>
    private static bool IsWellFormedDer(ReadOnlySpan<byte> data, int depth, out string? problem)
    {
        if (depth > MaxDepth)
        {
            problem = "the DER is nested too deeply";
            return false;
        }

        while (!data.IsEmpty)
        {
            Asn1Tag tag;
            int contentOffset;
            int contentLength;
            int consumed;
            try
            {
                tag = AsnDecoder.ReadEncodedValue(data, AsnEncodingRules.DER, out contentOffset, out contentLength, out consumed);
            }
            catch (AsnContentException)
            {
                problem = depth == 0
                    ? "the DER is truncated or not a well-formed DER value"
                    : "an element inside the DER is truncated or malformed";
                return false;
            }

            if (tag.IsConstructed && !IsWellFormedDer(data.Slice(contentOffset, contentLength), depth + 1, out problem))
            {
                return false;
            }

            data = data[consumed..];
        }

        problem = null;
        return true;
    }
}
