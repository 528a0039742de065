namespace CertPolicy;

/// <summary>The user's answer to a <see cref="CertificatePromptRequest"/>.</summary>
public enum PromptAnswer
{
    /// <summary>Refuse the connection. Nothing is remembered: the next attempt asks again.</summary>
    Deny = 0,

    /// <summary>Connect, and remember the approval for this certificate, this server and these problems.</summary>
    Allow = 1,
}
