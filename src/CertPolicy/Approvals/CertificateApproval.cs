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
    /// <param name="certificate">The certificate's fingerprint.</param>
    /// <param name="acceptedProblems">The problems the user accepted; at least one.</param>
    /// <param name="approvedAt">When the user approved.</param>
    /// <param name="subject">The certificate's subject, for people reading a list of approvals.</param>
    /// <exception cref="ArgumentException">The fingerprint is the <see langword="default"/> value, or no problem is given.</exception>
    public CertificateApproval(ServerIdentity server, CertificateFingerprint certificate, CertificateProblemKinds acceptedProblems, DateTimeOffset approvedAt, string? subject = null)
        : this(server, certificate, acceptedProblems, approvedAt, subject, [])
    {
    }

    internal CertificateApproval(
        ServerIdentity server,
        CertificateFingerprint certificate,
        CertificateProblemKinds acceptedProblems,
        DateTimeOffset approvedAt,
        string? subject,
        IReadOnlyList<string> unknownProblemNames)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (certificate.IsDefault)
        {
            throw new ArgumentException("The fingerprint is the default (all-zero) value, which names no certificate.", nameof(certificate));
        }

        if (acceptedProblems == CertificateProblemKinds.None && unknownProblemNames.Count == 0)
        {
            throw new ArgumentException("An approval accepts at least one problem: a valid certificate needs none.", nameof(acceptedProblems));
        }

        Server = server;
        Fingerprint = certificate;
        AcceptedProblems = acceptedProblems;
        ApprovedAt = approvedAt;
        Subject = subject;
        UnknownProblemNames = unknownProblemNames;
    }

    /// <summary>The server the approval is for.</summary>
    public ServerIdentity Server { get; }

    /// <summary>The approved certificate's fingerprint (the SHA-256 of its DER).</summary>
    public CertificateFingerprint Fingerprint { get; }

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

    internal ApprovalKey Key => new(Server.Host, Server.Port, Fingerprint);

    /// <summary>True when the approval applies to a certificate that now has <paramref name="currentProblems"/>.</summary>
    internal bool Covers(CertificateProblemKinds currentProblems) =>
        UnknownProblemNames.Count == 0 && currentProblems == AcceptedProblems;

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Server} {Subject ?? "(no subject)"} SHA-256 {Fingerprint}: {ProblemText.ShortList(AcceptedProblems)}, approved {ApprovedAt:u}");
}

/// <summary>The key approvals are stored under: the server's normalised host and port, and the certificate's fingerprint.</summary>
internal readonly record struct ApprovalKey(string Host, int Port, CertificateFingerprint Fingerprint);
