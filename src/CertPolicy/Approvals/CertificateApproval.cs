using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;

namespace CertPolicy;

/// <summary>
/// A user's remembered "yes": this certificate (by the SHA-256 of its DER), or under a wider <see cref="Scope"/> its
/// renewals, may be used by this server (expected name and port) while it has exactly these problems.
/// </summary>
public sealed class CertificateApproval
{
    /// <summary>Creates an approval of one exact certificate (<see cref="ApprovalScope.Certificate"/>).</summary>
    /// <param name="server">The server the agent meant to reach.</param>
    /// <param name="certificate">The certificate's fingerprint.</param>
    /// <param name="acceptedProblems">The problems the user accepted; at least one.</param>
    /// <param name="approvedAt">When the user approved.</param>
    /// <param name="subject">The certificate's subject, for people reading a list of approvals.</param>
    /// <exception cref="ArgumentException">The fingerprint is the <see langword="default"/> value, or no problem is given.</exception>
    public CertificateApproval(ServerIdentity server, CertificateFingerprint certificate, CertificateProblemKinds acceptedProblems, DateTimeOffset approvedAt, string? subject = null)
        : this(server, certificate, acceptedProblems, approvedAt, subject, [], ApprovalFacts.Exact)
    {
    }

    internal CertificateApproval(
        ServerIdentity server,
        CertificateFingerprint certificate,
        CertificateProblemKinds acceptedProblems,
        DateTimeOffset approvedAt,
        string? subject,
        IReadOnlyList<string> unknownProblemNames,
        ApprovalFacts facts)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(facts);
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
        Facts = facts.Checked();
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
    /// What the approval covers besides its exact certificate. Approvals remembered before scopes existed are
    /// <see cref="ApprovalScope.Certificate"/>.
    /// </summary>
    public ApprovalScope Scope => Facts.Scope;

    /// <summary>
    /// The operating-system account that approved (<c>DOMAIN\user</c> where there is a domain, else the user name);
    /// null when not recorded.
    /// </summary>
    public string? ApprovedBy => Facts.ApprovedBy;

    /// <summary>
    /// When a later approval of another certificate for the same server replaced this one; null while it is the
    /// latest. A replaced approval still applies (a server behind a load balancer may present either certificate);
    /// forget it to stop that.
    /// </summary>
    public DateTimeOffset? ReplacedAt => Facts.ReplacedAt;

    /// <summary>
    /// The SHA-256 of the approved certificate's SubjectPublicKeyInfo, as 64 upper-case hexadecimal digits; null
    /// when not recorded.
    /// </summary>
    public string? PublicKeySha256 => Facts.PublicKeySha256;

    /// <summary>The scope, the issuer's key and the other facts recorded with the approval.</summary>
    internal ApprovalFacts Facts { get; }

    /// <summary>
    /// Problem names a newer version of this library wrote and this one does not know. They are kept when the file
    /// is rewritten, and an approval carrying any never applies here (this version cannot see those problems).
    /// </summary>
    internal IReadOnlyList<string> UnknownProblemNames { get; }

    internal ApprovalKey Key => new(Server.Host, Server.Port, Fingerprint);

    /// <summary>True when the approval applies to a certificate that now has <paramref name="currentProblems"/>.</summary>
    internal bool Covers(CertificateProblemKinds currentProblems) =>
        UnknownProblemNames.Count == 0 && currentProblems == AcceptedProblems;

    /// <summary>The same approval, marked as replaced at <paramref name="at"/>.</summary>
    internal CertificateApproval ReplacedOn(DateTimeOffset at) =>
        new(Server, Fingerprint, AcceptedProblems, ApprovedAt, Subject, UnknownProblemNames, Facts with { ReplacedAt = at });

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Server} {Subject ?? "(no subject)"} SHA-256 {Fingerprint}: {ProblemText.ShortList(AcceptedProblems)}, {ApprovalText.ScopeName(Scope)} scope, approved {ApprovedAt:u}{(ApprovedBy is null ? string.Empty : " by " + ApprovedBy)}{(ReplacedAt is { } replaced ? string.Create(CultureInfo.InvariantCulture, $", replaced {replaced:u}") : string.Empty)}");
}

/// <summary>The key approvals are stored under: the server's normalised host and port, and the certificate's fingerprint.</summary>
internal readonly record struct ApprovalKey(string Host, int Port, CertificateFingerprint Fingerprint);

/// <summary>
/// What an approval records besides server, certificate and problems: its scope, who approved, whether it was
/// replaced, and the keys renewals are compared with. <see cref="Checked"/> makes the keys usable or throws.
/// </summary>
internal sealed record ApprovalFacts
{
    /// <summary>An approval of the exact certificate, with nothing else recorded (what files of version 1 hold).</summary>
    public static readonly ApprovalFacts Exact = new();

    public ApprovalScope Scope { get; init; }

    /// <summary>A scope name a newer version wrote and this one does not know: the approval never applies here.</summary>
    public string? UnknownScope { get; init; }

    public string? ApprovedBy { get; init; }

    public DateTimeOffset? ReplacedAt { get; init; }

    /// <summary>The SHA-256 of the certificate's SubjectPublicKeyInfo, upper-case hexadecimal.</summary>
    public string? PublicKeySha256 { get; init; }

    /// <summary>The DER of the SubjectPublicKeyInfo of the key that signed the approved certificate.</summary>
    public byte[]? IssuerPublicKey { get; init; }

    /// <summary>The DER of the approved certificate's subject name.</summary>
    public byte[]? SubjectName { get; init; }

    /// <summary>The issuer's key, read (set by <see cref="Checked"/>).</summary>
    public PublicKeyInfo? IssuerKey { get; private init; }

    /// <summary>The subject name, read (set by <see cref="Checked"/>).</summary>
    public DistinguishedName? SubjectDistinguishedName { get; private init; }

    /// <summary>The facts with their keys read.</summary>
    /// <exception cref="ArgumentException">A fact the scope needs is missing or malformed.</exception>
    public ApprovalFacts Checked()
    {
        if (UnknownScope is null && !Enum.IsDefined(Scope))
        {
            throw new ArgumentException($"The approval scope {Scope} is not Certificate, PublicKey or Issuer.");
        }

        if (PublicKeySha256 is { } key && (key.Length != 64 || !key.All(char.IsAsciiHexDigitUpper)))
        {
            throw new ArgumentException("The public key's SHA-256 is not 64 upper-case hexadecimal digits.");
        }

        if (UnknownScope is null && Scope == ApprovalScope.PublicKey && PublicKeySha256 is null)
        {
            throw new ArgumentException("A public-key approval records the public key's SHA-256.");
        }

        if (UnknownScope is null && Scope == ApprovalScope.Issuer && (IssuerPublicKey is null || SubjectName is null))
        {
            throw new ArgumentException("An issuer approval records the issuer's public key and the certificate's subject.");
        }

        try
        {
            return this with
            {
                IssuerKey = IssuerPublicKey is null ? null : ReadKey(IssuerPublicKey),
                SubjectDistinguishedName = SubjectName is null ? null : DistinguishedName.Decode(SubjectName),
            };
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException)
        {
            throw new ArgumentException($"The approval's issuer key or subject name is not valid DER: {ex.Message}", ex);
        }
    }

    private static PublicKeyInfo ReadKey(byte[] der)
    {
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        PublicKeyInfo key = PublicKeyInfo.Read(reader);
        reader.ThrowIfNotEmpty();
        return key;
    }
}
