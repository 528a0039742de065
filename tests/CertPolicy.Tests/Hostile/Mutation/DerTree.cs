namespace CertPolicy.Tests.Hostile.Mutation;

/// <summary>
/// A minimal, permissive TLV tree of well-formed DER (the generated certificates), for making mutants: every node can
/// be changed and the whole re-encoded with its parents' lengths recomputed. OCTET STRINGs whose content is itself
/// DER (extension values) are opened too, so mutations reach SAN entries, key usages and purposes.
/// </summary>
internal sealed class DerNode
{
    private DerNode(byte tag, byte[]? content, List<DerNode>? children, bool encapsulates)
    {
        Tag = tag;
        Content = content;
        Children = children;
        Encapsulates = encapsulates;
    }

    /// <summary>The identifier octet (certificates use low tag numbers only).</summary>
    public byte Tag { get; set; }

    /// <summary>The content of a primitive node; null for constructed or encapsulating nodes.</summary>
    public byte[]? Content { get; set; }

    /// <summary>The children of a constructed node, or of a primitive OCTET STRING that holds DER.</summary>
    public List<DerNode>? Children { get; }

    /// <summary>True for an OCTET STRING whose content was opened as DER.</summary>
    public bool Encapsulates { get; }

    /// <summary>Replaces the length octets of this node when encoded (the content stays as it is); null for the DER length.</summary>
    public byte[]? LengthOverride { get; set; }

    public static DerNode Parse(byte[] der)
    {
        int offset = 0;
        DerNode root = ParseOne(der, ref offset);
        if (offset != der.Length)
        {
            throw new ArgumentException("trailing data", nameof(der));
        }

        return root;
    }

    /// <summary>This node and every node below it, depth first.</summary>
    public IEnumerable<DerNode> All()
    {
        yield return this;
        foreach (DerNode child in Children ?? [])
        {
            foreach (DerNode node in child.All())
            {
                yield return node;
            }
        }
    }

    public DerNode DeepCopy() => new(Tag, Content?.ToArray(), Children?.Select(c => c.DeepCopy()).ToList(), Encapsulates) { LengthOverride = LengthOverride?.ToArray() };

    public byte[] Encode()
    {
        var output = new List<byte>();
        EncodeTo(output);
        return [.. output];
    }

    public static byte[] DerLength(int length)
    {
        if (length < 0x80)
        {
            return [(byte)length];
        }

        var bytes = new List<byte>();
        for (int value = length; value > 0; value >>= 8)
        {
            bytes.Insert(0, (byte)value);
        }

        return [(byte)(0x80 | bytes.Count), .. bytes];
    }

    private void EncodeTo(List<byte> output)
    {
        byte[] content;
        if (Children is not null)
        {
            var inner = new List<byte>();
            foreach (DerNode child in Children)
            {
                child.EncodeTo(inner);
            }

            content = [.. inner];
        }
        else
        {
            content = Content!;
        }

        output.Add(Tag);
        output.AddRange(LengthOverride ?? DerLength(content.Length));
        output.AddRange(content);
    }

    private static DerNode ParseOne(byte[] der, ref int offset)
    {
        byte tag = der[offset++];
        int length = der[offset++];
        if (length >= 0x80)
        {
            int count = length & 0x7F;
            length = 0;
            for (int i = 0; i < count; i++)
            {
                length = (length << 8) | der[offset++];
            }
        }

        int end = offset + length;
        if ((tag & 0x20) != 0)
        {
            var children = new List<DerNode>();
            while (offset < end)
            {
                children.Add(ParseOne(der, ref offset));
            }

            return new DerNode(tag, null, children, encapsulates: false);
        }

        byte[] content = der[offset..end];
        offset = end;
        if (tag == 0x04 && TryParseAll(content, out List<DerNode>? encapsulated)
            && encapsulated.SelectMany(n => n.Encode()).SequenceEqual(content))
        {
            return new DerNode(tag, null, encapsulated, encapsulates: true);
        }

        return new DerNode(tag, content, null, encapsulates: false);
    }

    private static bool TryParseAll(byte[] content, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out List<DerNode>? nodes)
    {
        nodes = [];
        int offset = 0;
        try
        {
            while (offset < content.Length)
            {
                nodes.Add(ParseOne(content, ref offset));
                if (offset <= 0 || nodes.Count > 10_000)
                {
                    nodes = null;
                    return false;
                }
            }

            return offset == content.Length && nodes.Count > 0;
        }
        catch (IndexOutOfRangeException)
        {
            nodes = null;
            return false;
        }
        catch (ArgumentException)
        {
            nodes = null;
            return false;
        }
        catch (OverflowException)
        {
            nodes = null;
            return false;
        }
    }
}
