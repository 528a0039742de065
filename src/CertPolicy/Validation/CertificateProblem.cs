namespace CertPolicy;

/// <summary>One problem found by a validation: what it is, which certificate it concerns, and why.</summary>
public sealed class CertificateProblem
{
    /// <summary>Creates a problem.</summary>
    /// <param name="kind">A single kind (one flag).</param>
    /// <param name="chainPosition">The certificate's position: 0 for the leaf, 1 for its issuer, and so on; -1 when the problem concerns no single certificate.</param>
    /// <param name="subject">The subject of the certificate concerned, when known.</param>
    /// <param name="message">A sentence a person can read.</param>
    public CertificateProblem(CertificateProblemKinds kind, int chainPosition, string? subject, string message)
    {
        ArgumentException.ThrowIfNullOrEmpty(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(chainPosition, -1);
        Kind = kind;
        ChainPosition = chainPosition;
        Subject = subject;
        Message = message;
    }

    /// <summary>The kind of problem (a single flag).</summary>
    public CertificateProblemKinds Kind { get; }

    /// <summary>The position of the certificate concerned: 0 for the leaf, 1 for its issuer, and so on; -1 when the problem concerns no single certificate.</summary>
    public int ChainPosition { get; }

    /// <summary>The subject of the certificate concerned, when known.</summary>
    public string? Subject { get; }

    /// <summary>The problem in plain words.</summary>
    public string Message { get; }

    /// <inheritdoc/>
    public override string ToString() => ChainPosition < 0 ? $"{Kind}: {Message}" : $"{Kind} (certificate {ChainPosition}): {Message}";
}
