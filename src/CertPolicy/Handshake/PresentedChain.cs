using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// The certificates a server presented in one handshake, as the validation callback receives them, seen
/// without copying: the leaf and the other certificates the TLS stack collected (which may include the leaf
/// again). A lookup key for <see cref="DecisionCache"/> that costs nothing to build.
/// </summary>
internal readonly ref struct PresentedChain
{
    public PresentedChain(ServerIdentity identity, ReadOnlySpan<byte> leaf, X509Certificate2Collection? others)
    {
        Identity = identity;
        Leaf = leaf;
        Others = others;
    }

    public ServerIdentity Identity { get; }

    public ReadOnlySpan<byte> Leaf { get; }

    public X509Certificate2Collection? Others { get; }

    public int OtherCount => Others?.Count ?? 0;

    /// <summary>The DER of the i-th other certificate; reading it is free once the certificate object has read it.</summary>
    public ReadOnlySpan<byte> Other(int index) => Others![index].RawDataMemory.Span;

    /// <summary>
    /// True when the i-th other certificate is the leaf again (TLS stacks put the leaf in the chain's extra store
    /// too). The full path ignores such a copy, so the cache neither stores nor hashes it.
    /// </summary>
    public bool IsLeafCopy(int index) => Other(index).SequenceEqual(Leaf);
}
