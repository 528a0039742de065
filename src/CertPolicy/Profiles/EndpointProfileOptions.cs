using System.ComponentModel.DataAnnotations;

namespace CertPolicy;

/// <summary>
/// The settings of one endpoint profile, bindable from configuration (for example
/// <c>"CertPolicy": { "Profiles": { "Management": { ... } } }</c>). Every setting has a safe default: a profile
/// that sets nothing validates in modern mode against the system's roots and warns about invalid certificates.
/// </summary>
/// <remarks>
/// Each setting declares its default and its limits here (DataAnnotations, checked by a source-generated validator);
/// a new setting needs only a property with its attributes, and the step that carries it to the engine or validator
/// options. Files the settings name are read when the profile is built (and checked when the settings are validated).
/// </remarks>
public sealed class EndpointProfileOptions
{
    /// <summary>The <see cref="TrustStore"/> value naming the operating system's roots.</summary>
    public const string SystemTrustStore = "System";

    /// <summary>Which verdict decides validity. Default: <see cref="ValidationMode.Modern"/>.</summary>
    [EnumDataType(typeof(ValidationMode))]
    public ValidationMode Mode { get; set; } = ValidationMode.Modern;

    /// <summary>
    /// The subject common name legacy agents expect. Required in legacy and report-only mode
    /// (<see cref="ValidationMode.ReportOnly"/>); in modern mode it adds the legacy verdict to reports.
    /// </summary>
    public string? ExpectedSubject { get; set; }

    /// <summary>
    /// Opt-in, default false: accept a server DNS name found only in the subject common name of a certificate that has
    /// no subjectAltName at all, reported as the notice <see cref="CertificateProblemKinds.NameOnlyInCommonName"/>.
    /// Never for IP addresses or wildcards. See <see cref="CertificateValidatorOptions.AcceptCommonNameWithoutSubjectAltName"/>.
    /// </summary>
    public bool AcceptCommonNameWithoutSubjectAltName { get; set; }

    /// <summary>What to do with a certificate that is not valid. Default, also when left out: <see cref="InvalidCertificateAction.Warn"/>.</summary>
    [EnumDataType(typeof(InvalidCertificateAction))]
    public InvalidCertificateAction InvalidCertificateAction { get; set; } = InvalidCertificateAction.Warn;

    /// <summary>
    /// Where trusted roots come from: <see cref="SystemTrustStore"/> ("System", the default), the path of a PEM
    /// bundle, or the path of a folder of PEM files; several separated by ';'. Relative paths are taken from the
    /// application's base directory.
    /// </summary>
    public string TrustStore { get; set; } = SystemTrustStore;

    /// <summary>Files of certificate revocation lists (DER or PEM) to check paths against. Default: none. Relative paths are taken from the application's base directory.</summary>
    public IList<string> RevocationLists { get; } = [];

    /// <summary>How far the clock may be off when validity periods are checked. Default: none; at most one day.</summary>
    [TimeSpanRange("00:00:00", CertificateValidatorOptions.ClockSkewLimit)]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.Zero;

    /// <summary>The most intermediate certificates a path may have. Default: 8; at most 32.</summary>
    [Range(0, CertificateValidatorOptions.MaxChainDepthLimit)]
    public int MaxChainDepth { get; set; } = CertificateValidatorOptions.DefaultMaxChainDepth;

    /// <summary>The most signatures path building checks in one validation. Default: 100; at least 1, at most 10000.</summary>
    [Range(1, CertificateValidatorOptions.MaxSignatureChecksLimit)]
    public int MaxSignatureChecks { get; set; } = CertificateValidatorOptions.DefaultMaxSignatureChecks;

    /// <summary>How long the user has to answer a prompt before the connection is refused. Default: two minutes; at most one day.</summary>
    [TimeSpanRange(CertificateDecisionEngineOptions.MinPromptTimeoutText, CertificateDecisionEngineOptions.MaxPromptTimeoutText)]
    public TimeSpan PromptTimeout { get; set; } = CertificateDecisionEngineOptions.DefaultPromptTimeout;

    /// <summary>
    /// The file remembered approvals are kept in. Default (empty): <see cref="FileApprovalStore.DefaultFilePath"/>,
    /// in the account's local application data. Relative paths are taken from the application's base directory.
    /// Profiles naming the same file share their approvals.
    /// </summary>
    public string? ApprovalsFile { get; set; }

    /// <summary>
    /// Certificates and public keys this profile never trusts, refused under every action (Allow included) without
    /// asking, whatever was approved or pre-approved: a certificate's SHA-256 in hexadecimal or a public key's
    /// <c>sha256//BASE64</c>. Default: empty. See <see cref="CertificateDecisionEngineOptions.DistrustedFingerprints"/>.
    /// </summary>
    public IList<string> DistrustedFingerprints { get; } = [];

    /// <summary>
    /// Certificates or public keys the administrator approved for this profile's servers, connected to without asking
    /// under every action: <c>FINGERPRINT</c>, <c>host=FINGERPRINT</c> or <c>host:port=FINGERPRINT</c>. Default:
    /// empty. See <see cref="CertificateDecisionEngineOptions.PreApprovedFingerprints"/>.
    /// </summary>
    public IList<string> PreApprovedFingerprints { get; } = [];

    /// <summary>
    /// The oldest TLS version this profile's handshakes may use: <see cref="TlsVersionFloor.Platform"/> (the default:
    /// whatever the platform negotiates), <see cref="TlsVersionFloor.Tls12"/> or <see cref="TlsVersionFloor.Tls13"/>.
    /// A server that offers only older versions is refused with a <see cref="TlsVersionRejectedException"/> naming the
    /// floor (see docs/handshake.md).
    /// </summary>
    [EnumDataType(typeof(TlsVersionFloor))]
    public TlsVersionFloor MinimumTlsVersion { get; set; } = TlsVersionFloor.Platform;

    /// <summary>
    /// Whether questions no one could answer (no prompt, as on a headless agent, or a prompt that timed out) are
    /// recorded beside the approvals file, in <c>&lt;approvals file&gt;.pending.json</c>, for an administrator to
    /// answer out of band (<c>certpolicy approvals pending|approve|deny</c>, or <see cref="PendingQuestionStore"/>).
    /// Default: true. Only when approvals are kept in a file: with approvals in memory (no file location), nothing
    /// is recorded. Profiles naming the same approvals file share their questions.
    /// </summary>
    public bool RecordPendingQuestions { get; set; } = true;

    /// <summary>
    /// What a new approval covers besides the exact certificate: <c>Certificate</c> (the default), <c>PublicKey</c> or
    /// <c>Issuer</c>. See <see cref="CertificateDecisionEngineOptions.ApprovalScope"/>.
    /// </summary>
    [EnumDataType(typeof(ApprovalScope))]
    public ApprovalScope ApprovalScope { get; set; } = ApprovalScope.Certificate;

    /// <summary>
    /// How long a remembered approval applies after it was given. Default (empty): for ever; at least one minute, at
    /// most ten years. See <see cref="CertificateDecisionEngineOptions.ApprovalLifetime"/>.
    /// </summary>
    [TimeSpanRange(CertificateDecisionEngineOptions.MinApprovalLifetimeText, CertificateDecisionEngineOptions.MaxApprovalLifetimeText)]
    public TimeSpan? ApprovalLifetime { get; set; }

    /// <summary>
    /// The configuration the settings were bound from, flattened (null when they were set in code): equal text means
    /// equal settings, so a reload that changes nothing keeps the profile. Not a setting.
    /// </summary>
    internal string? BoundFrom { get; set; }
}
