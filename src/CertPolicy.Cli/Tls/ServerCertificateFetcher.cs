using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Cli.Tls;

/// <summary>
/// Connects to a TLS server, takes the certificates it presents, and closes. The validation callback accepts every
/// certificate only so that the handshake completes and the chain can be judged afterwards by CertPolicy: nothing is
/// trusted, no application data is sent, and the connection is closed at once.
/// </summary>
internal static class ServerCertificateFetcher
{
    /// <summary>Connects to <paramref name="host"/>:<paramref name="port"/> and returns the certificates the server sent.</summary>
    /// <param name="host">The host to connect to: a DNS name or an IP address.</param>
    /// <param name="port">The TCP port.</param>
    /// <param name="serverName">The name to send in SNI: the server name agents use. Ignored for an IP address.</param>
    /// <param name="timeout">The time allowed for the connection and the handshake together.</param>
    /// <param name="cancellationToken">Stops the attempt.</param>
    /// <exception cref="CliException">The server cannot be reached or the handshake fails; the message says which and why.</exception>
    public static async Task<FetchedCertificates> FetchAsync(string host, int port, string serverName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        string where = FormatEndpoint(host, port);
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        CancellationToken token = timeoutSource.Token;

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"cannot connect to {where}: no answer within {FormatSeconds(timeout)}.") { Code = "timeout" };
        }
        catch (SocketException ex)
        {
            throw new CliException($"cannot connect to {where}: {Describe(ex)}", ex) { Code = "connection-failed" };
        }

        EndPoint? remote = socket.RemoteEndPoint is IPEndPoint { Address.IsIPv4MappedToIPv6: true } mapped
            ? new IPEndPoint(mapped.Address.MapToIPv4(), mapped.Port)
            : socket.RemoteEndPoint;
        var capture = new Capture();
        var stream = new NetworkStream(socket, ownsSocket: false);
        await using (stream.ConfigureAwait(false))
        {
            var first = new FirstBytesStream(stream);
            var tls = new SslStream(first, leaveInnerStreamOpen: false);
            await using (tls.ConfigureAwait(false))
            {
                var options = new SslClientAuthenticationOptions
                {
                    // SNI carries the name agents use; SslStream sends none for an IP address.
                    TargetHost = serverName,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                    RemoteCertificateValidationCallback = capture.Take,
                };

                try
                {
                    await tls.AuthenticateAsClientAsync(options, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new CliException($"TLS handshake with {where} failed: no answer within {FormatSeconds(timeout)}.") { Code = "timeout" };
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
                {
                    if (first.ReceivedNonTls)
                    {
                        throw new CliException($"the server at {where} did not answer with TLS (it sent {Preview(first.First)}): is this the TLS port?", ex) { Code = "not-tls" };
                    }

                    throw new CliException($"TLS handshake with {where} failed: {Innermost(ex)}", ex) { Code = "handshake-failed" };
                }

                return new FetchedCertificates(capture.Certificates ?? [], remote, tls.SslProtocol, tls.NegotiatedCipherSuite);
            }
        }
    }

    /// <summary>"host:port", with an IPv6 address in brackets.</summary>
    public static string FormatEndpoint(string host, int port) =>
        IPAddress.TryParse(host, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{host}]:{port}"
            : $"{host}:{port}";

    /// <summary>The first bytes as text when they are printable (such as "HTTP/1.1 400"), else as hexadecimal.</summary>
    private static string Preview(ReadOnlySpan<byte> bytes)
    {
        bool printable = true;
        foreach (byte b in bytes)
        {
            printable &= b is >= 0x20 and < 0x7F or (byte)'\r' or (byte)'\n' or (byte)'\t';
        }

        return printable
            ? $"\"{System.Text.Encoding.ASCII.GetString(bytes).ReplaceLineEndings(" ").Trim()}\""
            : $"bytes {Convert.ToHexString(bytes)}";
    }

    private static string FormatSeconds(TimeSpan timeout) =>
        timeout.TotalSeconds == 1 ? "1 second" : $"{timeout.TotalSeconds:0.###} seconds";

    private static string Describe(SocketException ex) => ex.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "the connection was refused (is the server listening on that port?).",
        SocketError.HostNotFound or SocketError.NoData => "the host name could not be resolved.",
        SocketError.TimedOut => "the connection timed out.",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "the host is unreachable.",
        _ => EndSentence(ex.Message),
    };

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return EndSentence(ex.Message);
    }

    private static string EndSentence(string message)
    {
        string line = message.ReplaceLineEndings(" ").Trim();
        return line.EndsWith('.') ? line : line + ".";
    }

    /// <summary>Copies the certificates out of the validation callback, whose objects are not ours to keep.</summary>
    private sealed class Capture
    {
        public IReadOnlyList<ReadOnlyMemory<byte>>? Certificates { get; private set; }

        /// <summary>Takes the leaf and every other certificate the server sent, and accepts: judging comes later.</summary>
        public bool Take(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate is null)
            {
                Certificates = [];
                return true;
            }

            byte[] leaf = certificate.GetRawCertData();
            var all = new List<ReadOnlyMemory<byte>> { leaf };

            // ExtraStore holds the certificates the server sent (on some platforms the leaf too); nothing else.
            if (chain is not null)
            {
                foreach (X509Certificate2 other in chain.ChainPolicy.ExtraStore)
                {
                    byte[] der = other.RawData;
                    if (!all.Exists(d => d.Span.SequenceEqual(der)))
                    {
                        all.Add(der);
                    }
                }
            }

            Certificates = all;
            return true;
        }
    }
}
