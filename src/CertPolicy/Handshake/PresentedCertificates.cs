using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// The certificates a server sent, in the form the validator takes: the leaf first, then every other
/// certificate the TLS stack collected (without the leaf's duplicate). Built only on the slow path.
/// </summary>
internal sealed class PresentedCertificates
{
    private PresentedCertificates(ReadOnlyMemory<byte>[] certificates) => Certificates = certificates;

    public IReadOnlyList<ReadOnlyMemory<byte>> Certificates { get; }

    public static PresentedCertificates Capture(X509Certificate? certificate, X509Chain? chain) =>
        Capture(certificate, chain?.ChainPolicy.ExtraStore);

    public static PresentedCertificates Capture(X509Certificate? certificate, X509Certificate2Collection? others)
    {
        if (certificate is null)
        {
            return new PresentedCertificates([]);
        }

        ReadOnlyMemory<byte> leaf = certificate is X509Certificate2 leaf2 ? leaf2.RawDataMemory : certificate.GetRawCertData();
        var all = new List<ReadOnlyMemory<byte>>(4) { leaf };
        if (others is not null)
        {
            foreach (X509Certificate2 other in others)
            {
                ReadOnlyMemory<byte> der = other.RawDataMemory;
                if (!der.Span.SequenceEqual(leaf.Span))
                {
                    all.Add(der);
                }
            }
        }

        return new PresentedCertificates([.. all]);
    }
}
