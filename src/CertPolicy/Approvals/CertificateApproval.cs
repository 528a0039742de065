using System.Globalization;

namespace CertPolicy;

/// <summary>
/// A user's remembered "yes": this certificate (by the SHA-256 of its DER) may be used by this server (expected
/// name and port) while it has exactly these problems.
/// </summary>
public sealed class CertificateApproval
{
    /// <summary>Creates an approval.</summary>
    /// <param name="server">The server the agent meant to reach.</param>
    /// <param name="certificateSha256">The SHA-256 of the certificate's DER: 64 hexadecimal digits, ':' separators allowed.</param>
    /// <param name="acceptedProblems">The problems the user accepted; at least one.</param>
    /// <param name="approvedAt">When the user approved.</param>
    /// <param name="subject">The certificate's subject, for people reading a list of approvals.</param>
    /// <exception cref="ArgumentException">The fingerprint is not 64 hexadecimal digits, or no problem is given.</exception>
    public CertificateApproval(ServerIdentity server, string certificateSha256, CertificateProblemKinds acceptedProblems, DateTimeOffset approvedAt, string? subject = null)
        : this(server, certificateSha256, acceptedProblems, approvedAt, subject, [])
    {
    }

    internal CertificateApproval(
        ServerIdentity server,
        string certificateSha256,
        CertificateProblemKinds acceptedProblems,
        DateTimeOffset approvedAt,
        string? subject,
        IReadOnlyList<string> unknownProblemNames)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(certificateSha256);
        if (acceptedProblems == CertificateProblemKinds.None && unknownProblemNames.Count == 0)
        {
            throw new ArgumentException("An approval accepts at least one problem: a valid certificate needs none.", nameof(acceptedProblems));
        }

        Server = server;
        CertificateSha256 = Fingerprint.Normalize(certificateSha256, nameof(certificateSha256));
        AcceptedProblems = acceptedProblems;
        ApprovedAt = approvedAt;
        Subject = subject;
        UnknownProblemNames = unknownProblemNames;
    }

    /// <summary>The server the approval is for.</summary>
    public ServerIdentity Server { get; }

    /// <summary>The SHA-256 of the approved certificate's DER, as 64 upper-case hexadecimal digits.</summary>
    public string CertificateSha256 { get; }

    /// <summary>The problems the user accepted. The approval applies only while the certificate has exactly these.</summary>
    public CertificateProblemKinds AcceptedProblems { get; }

    /// <summary>When the user approved.</summary>
    public DateTimeOffset ApprovedAt { get; }

    /// <summary>The certificate's subject, for display.</summary>
    public string? Subject { get; }

    /// <summary>
    /// Problem names a newer version of this library wrote and this one does not know. They are kept when the file
    /// is rewritten, and an approval carrying any never applies here (this version cannot see those problems).
    /// </summary>
    internal IReadOnlyList<string> UnknownProblemNames { get; }

    internal ApprovalKey Key => new(Server.Host, Server.Port, CertificateSha256);

    /// <summary>True when the approval applies to a certificate that now has <paramref name="currentProblems"/>.</summary>
    internal bool Covers(CertificateProblemKinds currentProblems) =>
        UnknownProblemNames.Count == 0 && currentProblems == AcceptedProblems;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Server} {Subject ?? "(no subject)"} SHA-256 {CertificateSha256}: {ProblemText.ShortList(AcceptedProblems)}, approved {ApprovedAt:u}");
}

/// <summary>The key approvals are stored under: the server's normalised host and port, and the certificate's fingerprint.</summary>
internal readonly record struct ApprovalKey(string Host, int Port, string Sha256);
