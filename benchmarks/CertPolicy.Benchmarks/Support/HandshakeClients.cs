using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Benchmarks.Support;

/// <summary>The client configurations the end-to-end handshakes compare.</summary>
public enum HandshakeClient
{
    /// <summary>The platform's own validation set up correctly: custom root trust with the root, callback accepts only no errors.</summary>
    Platform,

    /// <summary>The naive callback: ignores the platform's chain errors and builds a new X509Chain with the root.</summary>
    Naive,

    /// <summary>CertPolicy's integration (<see cref="HandshakePolicy.CreateClientOptions"/>), warm.</summary>
    CertPolicy,
}

/// <summary>
/// Full TLS 1.3 handshakes against a <see cref="LoopbackTlsServer"/>: a new TCP connection and SslStream each time,
/// no session resumption.
/// </summary>
public sealed class HandshakeClients
{
    private readonly int _port;
    private readonly SslClientAuthenticationOptions _platform;
    private readonly SslClientAuthenticationOptions _naive;
    private readonly SslClientAuthenticationOptions _certPolicy;

    public HandshakeClients(BenchmarkChain chain, int port)
    {
        ArgumentNullException.ThrowIfNull(chain);
        _port = port;
        var platformPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
            DisableCertificateDownloads = true,
        };
        platformPolicy.CustomTrustStore.Add(chain.Root);
        _platform = Common(new SslClientAuthenticationOptions
        {
            TargetHost = chain.Identity.Host,
            CertificateChainPolicy = platformPolicy,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = static (_, _, _, errors) => errors == SslPolicyErrors.None,
        });
        _naive = Common(new SslClientAuthenticationOptions
        {
            TargetHost = chain.Identity.Host,
            RemoteCertificateValidationCallback = NaiveValidation.CreateCallback(chain.Root),
        });
        _certPolicy = Common(new HandshakePolicy(chain.CreateEngine()).CreateClientOptions(chain.Identity));
    }

    /// <summary>Runs one handshake; throws when it fails (a refused certificate included).</summary>
    public Task HandshakeAsync(HandshakeClient client) => HandshakeAsync(client switch
    {
        HandshakeClient.Platform => _platform,
        HandshakeClient.Naive => _naive,
        HandshakeClient.CertPolicy => _certPolicy,
        _ => throw new ArgumentOutOfRangeException(nameof(client)),
    });

    /// <summary>
    /// One handshake that records what SslStream hands the callback in <see cref="X509ChainPolicy.ExtraStore"/>, to
    /// check that the callback benchmarks, which build that chain themselves, pass what a real handshake passes.
    /// </summary>
    public async Task<string> DescribeCallbackExtraStoreAsync(BenchmarkChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        string seen = "nothing";
        var options = Common(new SslClientAuthenticationOptions
        {
            TargetHost = chain.Identity.Host,
            RemoteCertificateValidationCallback = (_, _, presented, _) =>
            {
                X509Certificate2Collection extra = presented?.ChainPolicy.ExtraStore ?? [];
                seen = string.Join(", ", extra.Select(c => c.RawDataMemory.Span.SequenceEqual(chain.Leaf.RawData) ? "leaf"
                    : c.RawDataMemory.Span.SequenceEqual(chain.Intermediate.RawData) ? "intermediate" : c.Subject));
                return true;
            },
        });
        await HandshakeAsync(options).ConfigureAwait(false);
        return $"// SslStream passed the callback an ExtraStore of: {seen}";
    }

    private async Task HandshakeAsync(SslClientAuthenticationOptions options)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, _port).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await using (stream.ConfigureAwait(false))
        {
            await stream.AuthenticateAsClientAsync(options).ConfigureAwait(false);
        }
    }

    private static SslClientAuthenticationOptions Common(SslClientAuthenticationOptions options)
    {
        options.EnabledSslProtocols = SslProtocols.Tls13;
        options.AllowTlsResume = false;
        return options;
    }
}
