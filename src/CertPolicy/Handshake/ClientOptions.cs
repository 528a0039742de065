using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// Copies of a caller's <see cref="SslClientAuthenticationOptions"/>: every entry point of
/// <see cref="HandshakePolicy"/> that takes options sets its own values on a copy, so an options object reused for
/// several servers (or shared by concurrent calls) never carries one server's name, callback or chain policy to
/// another.
/// </summary>
internal static class ClientOptions
{
    /// <summary>A shallow copy of every setting (collections are copied, certificates are shared); new defaults when <paramref name="source"/> is null.</summary>
    public static SslClientAuthenticationOptions Copy(SslClientAuthenticationOptions? source)
    {
        if (source is null)
        {
            return new SslClientAuthenticationOptions();
        }

        var copy = new SslClientAuthenticationOptions
        {
            AllowRenegotiation = source.AllowRenegotiation,
            AllowTlsResume = source.AllowTlsResume,
            ApplicationProtocols = source.ApplicationProtocols is null ? null : [.. source.ApplicationProtocols],
            CertificateChainPolicy = source.CertificateChainPolicy,
            CertificateRevocationCheckMode = source.CertificateRevocationCheckMode,
            CipherSuitesPolicy = source.CipherSuitesPolicy,
            ClientCertificateContext = source.ClientCertificateContext,
            ClientCertificates = source.ClientCertificates is null ? null : new X509CertificateCollection(source.ClientCertificates),
            EnabledSslProtocols = source.EnabledSslProtocols,
            EncryptionPolicy = source.EncryptionPolicy,
            LocalCertificateSelectionCallback = source.LocalCertificateSelectionCallback,
            RemoteCertificateValidationCallback = source.RemoteCertificateValidationCallback,
            TargetHost = source.TargetHost,
        };
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            copy.AllowRsaPkcs1Padding = source.AllowRsaPkcs1Padding;
            copy.AllowRsaPssPadding = source.AllowRsaPssPadding;
        }

        return copy;
    }
}
