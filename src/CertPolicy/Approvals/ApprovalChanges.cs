namespace CertPolicy;

/// <summary>
/// How the certificate a server presents differs from the approval the user gave before for that server, when no
/// remembered approval covers it any more (<see cref="CertificatePromptRequest.Changes"/>).
/// </summary>
[Flags]
public enum ApprovalChanges
{
    /// <summary>Nothing known changed (or there was no earlier approval).</summary>
    None = 0,

    /// <summary>The server presents another certificate than the one approved.</summary>
    NewCertificate = 1,

    /// <summary>The certificate has another public key than the one approved.</summary>
    NewKey = 2,

    /// <summary>The certificate is not signed by the key that signed the one approved.</summary>
    NewIssuer = 4,

    /// <summary>The certificate has other problems than the ones the user accepted.</summary>
    NewProblems = 8,

    /// <summary>The approval is older than the profile's approval lifetime.</summary>
    ApprovalExpired = 16,
}
