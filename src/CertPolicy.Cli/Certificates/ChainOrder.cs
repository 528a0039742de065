using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Cli.Certificates;

/// <summary>
/// Finds the leaf of a chain file written out of order (an intermediate first, say). A server sends its own
/// certificate first; a file may not. The leaf is the one certificate that issued none of the others.
/// </summary>
internal static class ChainOrder
{
    /// <summary>
    /// The certificates with the leaf first (the others in file order), and a sentence saying what was moved; the
    /// same list and null when the file is in order or no single leaf can be told apart (then certificate 0 is judged).
    /// </summary>
    public static (IReadOnlyList<ReadOnlyMemory<byte>> Certificates, string? Note) LeafFirst(IReadOnlyList<ReadOnlyMemory<byte>> certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        if (certificates.Count < 2)
        {
            return (certificates, null);
        }

        var loaded = new List<X509Certificate2?>();
        try
        {
            foreach (ReadOnlyMemory<byte> der in certificates)
            {
                try
                {
                    loaded.Add(X509CertificateLoader.LoadCertificate(der.Span));
                }
                catch (CryptographicException)
                {
                    loaded.Add(null);
                }
            }

            bool Issued(int issuer) => loaded[issuer] is { } candidate && loaded.Exists(c =>
                c is not null && !ReferenceEquals(c, candidate) && c.IssuerName.RawData.AsSpan().SequenceEqual(candidate.SubjectName.RawData) && !c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData));

            if (!Issued(0))
            {
                return (certificates, null);
            }

            List<int> leaves = [.. Enumerable.Range(0, certificates.Count).Where(i => loaded[i] is not null && !Issued(i))];
            if (leaves.Count != 1)
            {
                return (certificates, $"The file is out of order: certificate 0 ({loaded[0]!.Subject}) issued another certificate of the file, and no single leaf could be told apart; certificate 0 was judged as the leaf.");
            }

            int leaf = leaves[0];
            var ordered = new List<ReadOnlyMemory<byte>> { certificates[leaf] };
            ordered.AddRange(certificates.Where((_, i) => i != leaf));
            return (ordered, $"The file is out of order: the server's certificate must come first, but certificate 0 is {loaded[0]!.Subject}, which issued another certificate of the file. Judged certificate {leaf} ({loaded[leaf]!.Subject}) as the leaf; fix the file before installing it.");
        }
        finally
        {
            foreach (X509Certificate2? certificate in loaded)
            {
                certificate?.Dispose();
            }
        }
    }
}
