using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Benchmarks.Support;

/// <summary>
/// The validation callback people write today for a server with a private root: accept a name match, ignore the
/// platform's chain verdict (it was built against the system roots), and build a fresh <see cref="X509Chain"/>
/// with custom root trust on every handshake. Revocation is off, since the private PKI publishes none (the
/// default, online, would fail the build).
/// </summary>
public static class NaiveValidation
{
    public static RemoteCertificateValidationCallback CreateCallback(X509Certificate2 root) =>
        (_, certificate, presented, errors) =>
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None || certificate is not X509Certificate2 leaf)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(root);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented is not null)
            {
                chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            }

            return chain.Build(leaf);
        };
}
