namespace CertPolicy;

/// <summary>
/// What a remembered approval covers besides the exact certificate the user approved. In every scope the approval is
/// for one server (expected name and port) and for exactly the problem kinds the user accepted: a certificate that
/// brings another problem asks again. An approval applies with its own scope only while the profile's scope is the
/// same; under any other profile scope it covers its exact certificate only.
/// </summary>
public enum ApprovalScope
{
    /// <summary>The exact certificate (the SHA-256 of its DER): any renewal asks again. The default.</summary>
    Certificate = 0,

    /// <summary>
    /// Any certificate for the server with the same public key (the same SubjectPublicKeyInfo), so a renewal that keeps
    /// the key keeps the approval; a new key asks again.
    /// </summary>
    PublicKey = 1,

    /// <summary>
    /// Any certificate for the server with the same subject whose signature verifies with the public key of the
    /// approved certificate's issuer (its own key for a self-signed certificate, so this is never weaker than
    /// <see cref="PublicKey"/> for one). The issuer's key is kept in the approval and the signature is checked: the
    /// issuer's name and the authority key identifier are never trusted on their own.
    /// </summary>
    Issuer = 2,
}
