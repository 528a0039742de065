namespace CertPolicy;

/// <summary>
/// What an endpoint profile does when a server's certificate is not valid. A valid certificate always connects
/// without asking, whatever the action.
/// </summary>
public enum InvalidCertificateAction
{
    /// <summary>
    /// Ask the user through the <see cref="ICertificatePrompt"/>, unless they already approved this certificate for
    /// this server with the same problems. Refuse when no one can be asked or the question times out. The default,
    /// also when a profile leaves the setting out.
    /// </summary>
    Warn = 0,

    /// <summary>Connect without asking. Use only where the network itself is trusted.</summary>
    Allow = 1,

    /// <summary>Refuse. Remembered approvals do not apply.</summary>
    Deny = 2,
}
