namespace CertPolicy;

/// <summary>
/// The settings of one endpoint profile, bindable from configuration (for example
/// <c>"CertPolicy": { "Profiles": { "Management": { ... } } }</c>). Every setting has a safe default: a profile
/// that sets nothing validates in modern mode against the system's roots and warns about invalid certificates.
/// </summary>
public sealed class EndpointProfileOptions
{
    /// <summary>The <see cref="TrustStore"/> value naming the operating system's roots.</summary>
    public const string SystemTrustStore = "System";

    /// <summary>Which verdict decides validity. Default: <see cref="ValidationMode.Modern"/>.</summary>
    public ValidationMode Mode { get; set; } = ValidationMode.Modern;

    /// <summary>The subject common name legacy agents expect. Required in legacy mode; in modern mode it adds the legacy verdict to reports.</summary>
    public string? ExpectedSubject { get; set; }

    /// <summary>What to do with a certificate that is not valid. Default, also when left out: <see cref="InvalidCertificateAction.Warn"/>.</summary>
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
    public TimeSpan ClockSkew { get; set; } = TimeSpan.Zero;

    /// <summary>The most intermediate certificates a path may have. Default: 8.</summary>
    public int MaxChainDepth { get; set; } = 8;

    /// <summary>The most signatures path building checks in one validation. Default: 100.</summary>
    public int MaxSignatureChecks { get; set; } = 100;

    /// <summary>How long the user has to answer a prompt before the connection is refused. Default: two minutes; at most one day.</summary>
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

    /// <summary>Every setting as one string: equal strings mean equal settings.</summary>
    internal string SettingsKey() => string.Join(
        '\u001F',
        Mode,
        ExpectedSubject,
        InvalidCertificateAction,
        TrustStore,
        string.Join('\u001E', RevocationLists),
        ClockSkew.Ticks,
        MaxChainDepth,
        MaxSignatureChecks,
        PromptTimeout.Ticks,
        ApprovalsFile,
        string.Join('\u001E', DistrustedFingerprints),
        string.Join('\u001E', PreApprovedFingerprints));
}
