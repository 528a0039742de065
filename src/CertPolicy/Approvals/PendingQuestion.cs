using System.Globalization;

namespace CertPolicy;

/// <summary>
/// A question no one could answer when it was asked (no interactive prompt, or the prompt timed out): whether an
/// agent may connect to this server with this certificate despite these problems. Kept in a
/// <see cref="PendingQuestionStore"/> until an administrator approves or denies it out of band.
/// </summary>
public sealed class PendingQuestion
{
    internal PendingQuestion(
        ServerIdentity server,
        CertificateFingerprint fingerprint,
        string? spkiSha256,
        string subject,
        string issuer,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        CertificateProblemKinds problems,
        DateTimeOffset firstSeen,
        DateTimeOffset lastSeen,
        int attempts,
        byte[]? issuerPublicKey = null,
        byte[]? subjectName = null)
    {
        IssuerPublicKey = issuerPublicKey;
        SubjectName = subjectName;
        Server = server;
        Fingerprint = fingerprint;
        SpkiSha256 = spkiSha256;
        Subject = subject;
        Issuer = issuer;
        NotBefore = notBefore;
        NotAfter = notAfter;
        Problems = problems;
        FirstSeen = firstSeen;
        LastSeen = lastSeen;
        Attempts = attempts;
    }

    /// <summary>The server the agent meant to reach.</summary>
    public ServerIdentity Server { get; }

    /// <summary>The certificate's fingerprint (the SHA-256 of its DER).</summary>
    public CertificateFingerprint Fingerprint { get; }

    /// <summary>The SHA-256 of the certificate's SubjectPublicKeyInfo, as 64 upper-case hexadecimal digits; null when it was not known.</summary>
    public string? SpkiSha256 { get; }

    /// <summary>The certificate's subject.</summary>
    public string Subject { get; }

    /// <summary>The certificate's issuer.</summary>
    public string Issuer { get; }

    /// <summary>The start of the certificate's validity period.</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>The end of the certificate's validity period.</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The problems found at the last attempt; an approval is given for exactly these.</summary>
    public CertificateProblemKinds Problems { get; }

    /// <summary>When the question was first recorded.</summary>
    public DateTimeOffset FirstSeen { get; }

    /// <summary>When a connection last asked it.</summary>
    public DateTimeOffset LastSeen { get; }

    /// <summary>How many connection attempts asked it (at least 1).</summary>
    public int Attempts { get; }

    internal ApprovalKey Key => new(Server.Host, Server.Port, Fingerprint);

    /// <summary>The DER of the SubjectPublicKeyInfo that signed the certificate, when it was established (for an issuer-scope approval).</summary>
    internal byte[]? IssuerPublicKey { get; }

    /// <summary>The DER of the certificate's subject (for an issuer-scope approval).</summary>
    internal byte[]? SubjectName { get; }

    /// <summary>What an approval of this question under <paramref name="scope"/> records; throws when the question lacks what the scope needs.</summary>
    internal ApprovalFacts FactsFor(ApprovalScope scope, string? approvedBy)
    {
        if (scope == ApprovalScope.PublicKey && SpkiSha256 is null)
        {
            throw new ArgumentException($"The question for {Server} does not record the certificate's public key, so it can be approved for the exact certificate only.", nameof(scope));
        }

        if (scope == ApprovalScope.Issuer && (IssuerPublicKey is null || SubjectName is null))
        {
            throw new ArgumentException($"The question for {Server} does not record the key that signed the certificate, so it can be approved for the certificate or its key only.", nameof(scope));
        }

        return new ApprovalFacts
        {
            Scope = scope,
            ApprovedBy = approvedBy,
            PublicKeySha256 = SpkiSha256,
            IssuerPublicKey = IssuerPublicKey,
            SubjectName = scope == ApprovalScope.Issuer ? SubjectName : null,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Server} {Subject} SHA-256 {Fingerprint}: {ProblemText.ShortList(Problems)}, {Attempts} attempt(s), last {LastSeen:u}");
}
