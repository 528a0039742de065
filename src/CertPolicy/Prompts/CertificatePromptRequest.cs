using System.Globalization;
using System.Text;

namespace CertPolicy;

/// <summary>What a person needs to decide whether to trust a certificate for a server.</summary>
public sealed class CertificatePromptRequest
{
    /// <summary>Creates a request; the engine does this, and tests of a prompt may too.</summary>
    /// <param name="profileName">The endpoint profile asking.</param>
    /// <param name="server">The server the agent meant to reach.</param>
    /// <param name="certificate">The server's certificate.</param>
    /// <param name="verdict">The verdict that found the problems.</param>
    public CertificatePromptRequest(string profileName, ServerIdentity server, CertificateSummary certificate, ValidationVerdict verdict)
        : this(profileName, server, certificate, verdict, trustStore: null, answerTimeout: null)
    {
    }

    /// <summary>The engine's request: the problems name the trust store the path was built to, and the user's time to answer is known.</summary>
    internal CertificatePromptRequest(string profileName, ServerIdentity server, CertificateSummary certificate, ValidationVerdict verdict, TrustStore? trustStore, TimeSpan? answerTimeout)
    {
        ArgumentNullException.ThrowIfNull(profileName);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(verdict);
        ProfileName = profileName;
        Server = server;
        Certificate = certificate;
        ProblemKinds = verdict.Kinds;
        Problems = verdict.Problems;
        ProblemDescriptions = ProblemText.Sentences(verdict.Kinds, NamesOf(certificate, server), trustStore);
        AnswerTimeout = answerTimeout;
    }

    /// <summary>For a name mismatch: the names the certificate does carry, so the user sees which server it is for.</summary>
    private static string? NamesOf(CertificateSummary certificate, ServerIdentity server)
    {
        string[] names = [.. certificate.DnsNames, .. certificate.IPAddresses];
        return names.Length == 0
            ? $"It names no server or address at all (the agent expected {server.Host})."
            : $"It names {string.Join(", ", names)}; the agent expected {server.Host}.";
    }

    /// <summary>The endpoint profile asking.</summary>
    public string ProfileName { get; }

    /// <summary>The server the agent meant to reach.</summary>
    public ServerIdentity Server { get; }

    /// <summary>The server's certificate: subject, issuer, validity and SHA-256 fingerprint.</summary>
    public CertificateSummary Certificate { get; }

    /// <summary>The kinds of problem found; an approval is remembered for exactly these.</summary>
    public CertificateProblemKinds ProblemKinds { get; }

    /// <summary>One plain sentence per kind of problem, for people who are not certificate experts.</summary>
    public IReadOnlyList<string> ProblemDescriptions { get; }

    /// <summary>Every problem found, with the certificate it concerns, for those who want the details.</summary>
    public IReadOnlyList<CertificateProblem> Problems { get; }

    /// <summary>
    /// How long the user has to answer: the profile's prompt timeout, after which the engine withdraws the question
    /// and refuses the connection. Null when the request was not made by an engine.
    /// </summary>
    public TimeSpan? AnswerTimeout { get; }

    /// <summary>The certificate's public key as a pin, <c>sha256//BASE64</c>, or null when the certificate could not be parsed.</summary>
    internal string? PublicKeyPin => Certificate.PublicKeySha256 is { } hex ? FingerprintPattern.PublicKeyText(hex) : null;

    /// <summary>
    /// The approval the user gave before for this server that is most relevant to this certificate, when the server
    /// has approvals and none covers the certificate it presents now; null otherwise.
    /// </summary>
    public CertificateApproval? PreviousApproval { get; internal init; }

    /// <summary>What changed since <see cref="PreviousApproval"/>; <see cref="ApprovalChanges.None"/> when there is none.</summary>
    public ApprovalChanges Changes { get; internal init; }

    /// <summary>
    /// What changed since <see cref="PreviousApproval"/> in one plain sentence, such as "This server's certificate
    /// changed since you approved it on 2026-11-02: new key."; null when there was no earlier approval.
    /// </summary>
    public string? ChangeDescription => PreviousApproval is { } previous ? ApprovalText.DescribeChange(previous, Changes, ProblemKinds) : null;

    /// <summary>The DER of the SubjectPublicKeyInfo that signed the certificate, when it could be established (recorded with pending questions).</summary>
    internal byte[]? IssuerPublicKey { get; init; }

    /// <summary>The question as text a console or log can show.</summary>
    /// <returns>Several lines: what changed since an earlier approval, the server, the problems, and the certificate's names, validity, fingerprint and public-key pin.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (ChangeDescription is { } change)
        {
            text.AppendLine(change);
        }

        text.Append(CultureInfo.InvariantCulture, $"The certificate of {Server} has problems:").AppendLine();
        foreach (string description in ProblemDescriptions)
        {
            text.Append("  - ").AppendLine(description);
        }

        text.Append(CultureInfo.InvariantCulture, $"Subject:     {Certificate.Subject}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"Issuer:      {Certificate.Issuer}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"Valid from:  {Certificate.NotBefore.UtcDateTime:u}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"Valid until: {Certificate.NotAfter.UtcDateTime:u}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"SHA-256:     {string.Join(':', CertificateFingerprint.Parse(Certificate.Sha256Fingerprint).ToString().Chunk(2).Select(pair => new string(pair)))}");
        if (PublicKeyPin is { } pin)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"Public key:  {pin}");
        }

        return text.ToString();
    }
}
