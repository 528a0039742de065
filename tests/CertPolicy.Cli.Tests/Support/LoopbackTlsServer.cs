using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Cli.Tests.Support;

/// <summary>How a <see cref="LoopbackTlsServer"/> treats a connection.</summary>
public enum LoopbackBehaviour
{
    /// <summary>Completes a TLS handshake with its certificate and chain.</summary>
    Tls,

    /// <summary>Answers in plain text and closes: not a TLS server.</summary>
    PlainText,

    /// <summary>Accepts the connection and says nothing.</summary>
    Silent,
}

/// <summary>
/// A server on 127.0.0.1 (port chosen by the system) for the tool to connect to. Every connection is served for
/// at most 10 seconds; disposing stops the listener and waits for the accept loop.
/// </summary>
public sealed class LoopbackTlsServer : IAsyncDisposable
{
    private static readonly TimeSpan ConnectionLimit = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly SslStreamCertificateContext? _context;
    private readonly LoopbackBehaviour _behaviour;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _connections;
    private int _disposed;

    private LoopbackTlsServer(SslStreamCertificateContext? context, LoopbackBehaviour behaviour)
    {
        _context = context;
        _behaviour = behaviour;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port".</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>How many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>A TLS server presenting <paramref name="leaf"/> (with its private key) and <paramref name="intermediates"/>.</summary>
    public static LoopbackTlsServer Start(X509Certificate2 leaf, params X509Certificate2[] intermediates)
    {
        // A PKCS#12 round trip gives the key a form every platform's TLS stack can use.
        X509Certificate2 withKey = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        var context = SslStreamCertificateContext.Create(withKey, [.. intermediates], offline: true);
        return new LoopbackTlsServer(context, LoopbackBehaviour.Tls);
    }

    /// <summary>A server that is not a TLS server.</summary>
    public static LoopbackTlsServer StartWithout(LoopbackBehaviour behaviour) => new(null, behaviour);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            limit.CancelAfter(ConnectionLimit);
            try
            {
                NetworkStream stream = client.GetStream();
                switch (_behaviour)
                {
                    case LoopbackBehaviour.PlainText:
                        await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"u8.ToArray(), limit.Token);
                        return;
                    case LoopbackBehaviour.Silent:
                        await stream.ReadAtLeastAsync(new byte[1024], 1, throwOnEndOfStream: false, limit.Token);
                        await Task.Delay(Timeout.InfiniteTimeSpan, limit.Token);
                        return;
                }

                await using var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = _context,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        ClientCertificateRequired = false,
                    },
                    limit.Token);

                // Wait for the client to close.
                await tls.ReadAtLeastAsync(new byte[256], 1, throwOnEndOfStream: false, limit.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or AuthenticationException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
