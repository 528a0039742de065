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
        int attempts)
    {
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

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Server} {Subject} SHA-256 {Fingerprint}: {ProblemText.ShortList(Problems)}, {Attempts} attempt(s), last {LastSeen:u}");
}
