using System.Formats.Asn1;

namespace CertPolicy.Tests.Hostile.Mutation;

/// <summary>The kinds of damage a mutant carries.</summary>
internal enum MutationKind
{
    BitFlip,
    Truncation,
    InsertedBytes,
    WrongLength,
    NonMinimalLength,
    CorruptOid,
    RemovedElement,
    DuplicatedElement,
    SwappedElements,
    SignatureBitFlip,
}

/// <summary>One mutant: its bytes and what was done.</summary>
internal sealed record Mutant(MutationKind Kind, string Description, byte[] Der)
{
    public override string ToString() => $"{Kind}: {Description} ({Der.Length} bytes)";
}

/// <summary>
/// Makes mutants of a certificate's DER from a seeded <see cref="Random"/>, so a failure can be replayed: raw byte
/// damage (flipped bits, truncation, inserted bytes) and structural damage on the TLV tree (lengths that lie or are
/// not minimal, corrupt object identifiers, elements removed, duplicated or swapped, a flipped bit in the signature).
/// </summary>
internal sealed class CertificateMutator
{
    /// <summary>Object identifiers to put where another one stood: other algorithms, an unknown extension, other attributes.</summary>
    private static readonly string[] ReplacementOids =
    [
        "1.2.840.113549.1.1.5",  // sha1WithRSAEncryption
        "1.2.840.10045.4.3.3",   // ecdsa-with-SHA384
        "1.2.840.10045.4.3.2",   // ecdsa-with-SHA256
        "1.2.840.113549.1.1.11", // sha256WithRSAEncryption
        "2.5.29.99",             // an extension nobody knows
        "1.3.6.1.5.5.7.3.2",     // clientAuth
        "2.5.4.3",               // commonName
        "1.2.3.4",
    ];

    private readonly byte[] _original;
    private readonly DerNode _tree;
    private readonly Random _random;

    public CertificateMutator(byte[] der, int seed)
    {
        _original = der;
        _tree = DerNode.Parse(der);
        if (!_tree.Encode().AsSpan().SequenceEqual(der))
        {
            throw new ArgumentException("The certificate does not re-encode to itself; the tree is not faithful.", nameof(der));
        }

        _random = new Random(seed);
    }

    /// <summary><paramref name="count"/> mutants, cycling through every kind.</summary>
    public IEnumerable<Mutant> Mutants(int count)
    {
        MutationKind[] kinds = Enum.GetValues<MutationKind>();
        for (int i = 0; i < count; i++)
        {
            yield return Make(kinds[i % kinds.Length]);
        }
    }

    private Mutant Make(MutationKind kind)
    {
        switch (kind)
        {
            case MutationKind.BitFlip:
            {
                int bit = _random.Next(_original.Length * 8);
                byte[] der = [.. _original];
                der[bit / 8] ^= (byte)(1 << (bit % 8));
                return new(kind, $"bit {bit % 8} of byte {bit / 8}", der);
            }

            case MutationKind.Truncation:
            {
                int length = _random.Next(_original.Length);
                return new(kind, $"first {length} bytes", _original[..length]);
            }

            case MutationKind.InsertedBytes:
            {
                int at = _random.Next(_original.Length + 1);
                byte[] inserted = new byte[_random.Next(1, 5)];
                _random.NextBytes(inserted);
                return new(kind, $"{Convert.ToHexString(inserted)} at {at}", [.. _original[..at], .. inserted, .. _original[at..]]);
            }

            case MutationKind.WrongLength:
                return OnTree(kind, tree =>
                {
                    DerNode node = Pick(tree.All());
                    int length = ContentLength(node);
                    (string what, byte[] lengthOctets) = _random.Next(5) switch
                    {
                        0 => ("length + 1", DerNode.DerLength(length + 1)),
                        1 => ("length - 1", DerNode.DerLength(Math.Max(0, length - 1))),
                        2 => ("indefinite length", [0x80]),
                        3 => ("length 2^32 - 1", [0x84, 0xFF, 0xFF, 0xFF, 0xFF]),
                        _ => ("length of 9 octets", [0x89, 0, 0, 0, 0, 0, 0, 0, 0, (byte)length]),
                    };
                    node.LengthOverride = lengthOctets;
                    return $"{what} on tag {node.Tag:X2}";
                });

            case MutationKind.NonMinimalLength:
                return OnTree(kind, tree =>
                {
                    // The same value in BER, not in DER: a lax parser would read the same certificate.
                    DerNode node = Pick(tree.All());
                    int length = ContentLength(node);
                    node.LengthOverride = length < 0x80 ? [0x81, (byte)length] : [0x84, .. BitConverter.GetBytes(length).Reverse()];
                    return $"long-form length {length} on tag {node.Tag:X2}";
                });

            case MutationKind.CorruptOid:
                return OnTree(kind, tree =>
                {
                    DerNode oid = Pick(tree.All().Where(n => n.Tag == 0x06));
                    byte[] content = oid.Content!;
                    switch (_random.Next(5))
                    {
                        case 0:
                            oid.Content = [.. content[..^1], (byte)(content[^1] ^ 0x01)];
                            return $"last arc changed in {Describe(content)}";
                        case 1:
                            string replacement = ReplacementOids[_random.Next(ReplacementOids.Length)];
                            oid.Content = OidContent(replacement);
                            return $"{Describe(content)} replaced by {replacement}";
                        case 2:
                            oid.Content = content[..^1];
                            return $"{Describe(content)} cut by one byte";
                        case 3:
                            oid.Content = [];
                            return $"{Describe(content)} emptied";
                        default:
                            oid.Content = [content[0], 0x80, .. content[1..]];
                            return $"{Describe(content)} with a padded sub-identifier";
                    }
                });

            case MutationKind.RemovedElement:
                return OnTree(kind, tree =>
                {
                    DerNode parent = Pick(tree.All().Where(n => n.Children is { Count: > 0 }));
                    int index = _random.Next(parent.Children!.Count);
                    byte tag = parent.Children[index].Tag;
                    parent.Children.RemoveAt(index);
                    return $"element {index} (tag {tag:X2}) of tag {parent.Tag:X2} removed";
                });

            case MutationKind.DuplicatedElement:
                return OnTree(kind, tree =>
                {
                    DerNode parent = Pick(tree.All().Where(n => n.Children is { Count: > 0 }));
                    int index = _random.Next(parent.Children!.Count);
                    parent.Children.Insert(index, parent.Children[index].DeepCopy());
                    return $"element {index} (tag {parent.Children[index].Tag:X2}) of tag {parent.Tag:X2} duplicated";
                });

            case MutationKind.SwappedElements:
                return OnTree(kind, tree =>
                {
                    DerNode parent = Pick(tree.All().Where(n => n.Children is { Count: > 1 }));
                    int index = _random.Next(parent.Children!.Count - 1);
                    (parent.Children[index], parent.Children[index + 1]) = (parent.Children[index + 1], parent.Children[index]);
                    return $"elements {index} and {index + 1} of tag {parent.Tag:X2} swapped";
                });

            default:
                return OnTree(kind, tree =>
                {
                    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
                    DerNode signature = tree.Children![2];
                    byte[] content = signature.Content!;
                    int bit = 8 + _random.Next((content.Length - 1) * 8); // never the unused-bits octet
                    content = [.. content];
                    content[bit / 8] ^= (byte)(1 << (bit % 8));
                    signature.Content = content;
                    return $"bit {bit % 8} of signature byte {bit / 8}";
                });
        }
    }

    private Mutant OnTree(MutationKind kind, Func<DerNode, string> change)
    {
        DerNode copy = _tree.DeepCopy();
        string description = change(copy);
        return new(kind, description, copy.Encode());
    }

    private T Pick<T>(IEnumerable<T> items)
    {
        T[] all = [.. items];
        return all[_random.Next(all.Length)];
    }

    private static int ContentLength(DerNode node) => node.Children is { } children ? children.Sum(c => c.Encode().Length) : node.Content!.Length;

    private static byte[] OidContent(string oid)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(oid);
        return writer.Encode()[2..];
    }

    private static string Describe(byte[] oidContent)
    {
        try
        {
            return AsnDecoder.ReadObjectIdentifier([0x06, (byte)oidContent.Length, .. oidContent], AsnEncodingRules.DER, out _);
        }
        catch (AsnContentException)
        {
            return Convert.ToHexString(oidContent);
        }
    }
}
