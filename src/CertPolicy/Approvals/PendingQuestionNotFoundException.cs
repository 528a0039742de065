namespace CertPolicy;

/// <summary>
/// An answer was given for a question no connection asked: no pending question exists for this server and
/// certificate, so nothing was approved (an approval is only ever given for a certificate an agent saw).
/// </summary>
public sealed class PendingQuestionNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PendingQuestionNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public PendingQuestionNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public PendingQuestionNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a server and certificate no one asked about.</summary>
    /// <param name="server">The server named in the answer.</param>
    /// <param name="certificate">The certificate named in the answer.</param>
    public PendingQuestionNotFoundException(ServerIdentity server, CertificateFingerprint certificate)
        : base($"No pending question exists for {server} with the certificate SHA-256 {certificate}: nothing was approved. Only a certificate an agent was refused for can be approved; list them with 'certpolicy approvals pending'.")
    {
        Server = server;
        Fingerprint = certificate;
    }

    /// <summary>The server named in the answer, when known.</summary>
    public ServerIdentity? Server { get; }

    /// <summary>The certificate named in the answer, when known.</summary>
    public CertificateFingerprint? Fingerprint { get; }
}
