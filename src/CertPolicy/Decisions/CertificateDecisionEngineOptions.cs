using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace CertPolicy;

/// <summary>
/// Settings of a <see cref="CertificateDecisionEngine"/>. The engine copies them when it is created, so later
/// changes to this object do not affect it.
/// </summary>
public sealed class CertificateDecisionEngineOptions
{
    /// <summary>The default <see cref="PromptTimeout"/>: two minutes.</summary>
    public static TimeSpan DefaultPromptTimeout { get; } = TimeSpan.Parse(DefaultPromptTimeoutText, CultureInfo.InvariantCulture);

    /// <summary>The longest <see cref="PromptTimeout"/>: one day.</summary>
    public static TimeSpan MaxPromptTimeout { get; } = TimeSpan.Parse(MaxPromptTimeoutText, CultureInfo.InvariantCulture);

    // The PromptTimeout rule in one place, as text so that endpoint profiles can declare it in attributes: more than
    // zero (one tick at least) and at most one day.
    internal const string DefaultPromptTimeoutText = "00:02:00";
    internal const string MinPromptTimeoutText = "00:00:00.0000001";
    internal const string MaxPromptTimeoutText = "1.00:00:00";

    // The ApprovalLifetime rule, as text for the same reason: at least one minute, at most ten years.
    internal const string MinApprovalLifetimeText = "00:01:00";
    internal const string MaxApprovalLifetimeText = "3650.00:00:00";

    /// <summary>The name of the endpoint profile, used in logs and prompts. Default: "default".</summary>
    public string ProfileName { get; set; } = "default";

    /// <summary>What to do with a certificate that is not valid. Default: <see cref="InvalidCertificateAction.Warn"/>.</summary>
    public InvalidCertificateAction InvalidCertificateAction { get; set; } = InvalidCertificateAction.Warn;

    /// <summary>Where approvals are remembered. Default (null): a new <see cref="InMemoryApprovalStore"/>.</summary>
    public ApprovalStore? Approvals { get; set; }

    /// <summary>Who to ask under <see cref="InvalidCertificateAction.Warn"/>. Default (null): no one, so such certificates are refused.</summary>
    public ICertificatePrompt? Prompt { get; set; }

    /// <summary>
    /// Where questions no one answered are recorded (no <see cref="Prompt"/>, or it timed out), so that an
    /// administrator can answer them out of band. Default (null): they are not recorded. Not used when
    /// <see cref="Prompt"/> is a <see cref="PendingQuestionPrompt"/>, which records them itself.
    /// </summary>
    public PendingQuestionStore? PendingQuestions { get; set; }

    /// <summary>
    /// The oldest TLS version the profile's handshakes may use, applied by every <see cref="HandshakePolicy"/> entry
    /// point (see <see cref="EndpointProfileOptions.MinimumTlsVersion"/>). Default: <see cref="TlsVersionFloor.Platform"/>.
    /// </summary>
    public TlsVersionFloor MinimumTlsVersion { get; set; } = TlsVersionFloor.Platform;

    /// <summary>How long to wait for the user's answer before refusing. Default: two minutes; more than zero and at most one day.</summary>
    public TimeSpan PromptTimeout { get; set; } = DefaultPromptTimeout;

    /// <summary>The clock for prompt timeouts and approval times. Default (null): the validator's clock.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where decisions are logged. Default (null): nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Where the meter comes from. Default (null): a process-wide meter named "CertPolicy".</summary>
    public IMeterFactory? MeterFactory { get; set; }

    /// <summary>
    /// Certificates and public keys that are never trusted: a certificate's SHA-256 in hexadecimal (64 digits, ':' or
    /// ' ' allowed between them) or a public key's <c>sha256//BASE64</c> (the SHA-256 of its SubjectPublicKeyInfo). A
    /// server whose certificate, or a certificate of whose path, matches is refused under every action with
    /// <see cref="DecisionReason.Distrusted"/>, without asking; remembered approvals and pre-approvals never apply to
    /// it. Default: empty.
    /// </summary>
    public IList<string> DistrustedFingerprints { get; } = [];

    /// <summary>
    /// Certificates or public keys the administrator approved, connected to without asking under every action with
    /// <see cref="DecisionReason.PreApproved"/>: <c>FINGERPRINT</c> (any server), <c>host=FINGERPRINT</c> (any port)
    /// or <c>host:port=FINGERPRINT</c>, the fingerprint in either form of <see cref="DistrustedFingerprints"/>. Only
    /// the server's own certificate is compared. Default: empty.
    /// </summary>
    public IList<string> PreApprovedFingerprints { get; } = [];

    /// <summary>
    /// What a new approval covers besides the exact certificate: <see cref="CertPolicy.ApprovalScope.Certificate"/>
    /// (the default: any renewal asks again), <see cref="CertPolicy.ApprovalScope.PublicKey"/> (renewals keeping the
    /// key) or <see cref="CertPolicy.ApprovalScope.Issuer"/> (renewals with the same subject signed by the same issuer
    /// key). Approvals remembered under another scope cover only their exact certificate. When the issuer's key cannot
    /// be established, an approval asked under <see cref="CertPolicy.ApprovalScope.Issuer"/> is remembered for the
    /// exact certificate, and the decision and the log say so.
    /// </summary>
    public ApprovalScope ApprovalScope { get; set; } = ApprovalScope.Certificate;

    /// <summary>
    /// How long a remembered approval applies after it was given; null (the default) for ever. An older approval does
    /// not apply: the user is asked again and told it expired. At least one minute, at most ten years.
    /// </summary>
    public TimeSpan? ApprovalLifetime { get; set; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ProfileName))
        {
            throw new ArgumentException("ProfileName must be set.", nameof(ProfileName));
        }

        if (!Enum.IsDefined(InvalidCertificateAction))
        {
            throw new ArgumentException($"InvalidCertificateAction '{InvalidCertificateAction}' is not Allow, Warn or Deny.", nameof(InvalidCertificateAction));
        }

        if (!Enum.IsDefined(MinimumTlsVersion))
        {
            throw new ArgumentException($"MinimumTlsVersion '{MinimumTlsVersion}' is not Platform, Tls12 or Tls13.", nameof(MinimumTlsVersion));
        }

        if (PromptTimeout < TimeSpan.Parse(MinPromptTimeoutText, CultureInfo.InvariantCulture) || PromptTimeout > MaxPromptTimeout)
        {
            throw new ArgumentException($"PromptTimeout must be more than zero and at most one day; it is {PromptTimeout}.", nameof(PromptTimeout));
        }

        if (!Enum.IsDefined(ApprovalScope))
        {
            throw new ArgumentException($"ApprovalScope '{ApprovalScope}' is not Certificate, PublicKey or Issuer.", nameof(ApprovalScope));
        }

        if (ApprovalLifetime is { } lifetime
            && (lifetime < TimeSpan.Parse(MinApprovalLifetimeText, CultureInfo.InvariantCulture) || lifetime > TimeSpan.Parse(MaxApprovalLifetimeText, CultureInfo.InvariantCulture)))
        {
            throw new ArgumentException($"ApprovalLifetime must be at least one minute and at most ten years; it is {lifetime}.", nameof(ApprovalLifetime));
        }

        _ = ReadDistrust();
        _ = ReadPreApprovals();
    }

    /// <summary>The distrust list, read; throws an <see cref="ArgumentException"/> naming a malformed entry.</summary>
    internal Distrust ReadDistrust() => Distrust.Parse(DistrustedFingerprints, nameof(DistrustedFingerprints));

    /// <summary>The pre-approvals, read; throws an <see cref="ArgumentException"/> naming a malformed entry.</summary>
    internal PreApprovals ReadPreApprovals() => PreApprovals.Parse(PreApprovedFingerprints, nameof(PreApprovedFingerprints));
}
