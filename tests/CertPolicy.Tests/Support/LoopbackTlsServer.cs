using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading.Channels;

namespace CertPolicy.Tests.Support;

/// <summary>What a <see cref="LoopbackTlsServer"/> does once the TLS handshake is done.</summary>
public enum LoopbackApplication
{
    /// <summary>Echoes every byte the client sends until the client closes; speaks only when spoken to.</summary>
    Echo,

    /// <summary>Reads one HTTP/1.1 request head and answers 200 with <see cref="LoopbackTlsServer.HttpBody"/>, then closes.</summary>
    Http,

    /// <summary>Not a TLS server: answers in plain text (an HTTP 400) and closes. Only with <see cref="LoopbackTlsServer.StartWithoutTls"/>.</summary>
    PlainText,

    /// <summary>Not a TLS server: accepts the connection and says nothing. Only with <see cref="LoopbackTlsServer.StartWithoutTls"/>.</summary>
    Silent,
}

/// <summary>What the server saw of one connection, reported when the connection is over.</summary>
/// <param name="HandshakeCompleted">True when the TLS handshake completed on the server's side.</param>
/// <param name="BytesReceived">Application bytes the client sent after the handshake.</param>
/// <param name="BytesSent">Application bytes the server sent.</param>
/// <param name="EndedBy">How the connection ended: "eof", "reset", "handshake failed", "timeout" or "served".</param>
public sealed record ServedConnection(bool HandshakeCompleted, long BytesReceived, long BytesSent, string EndedBy);

/// <summary>
/// A TLS 1.3 (or, when asked, TLS 1.2) server on a loopback address (port chosen by the system), presenting a certificate that the test can
/// switch between connections (or, for tests of clients facing something else, a server that does not speak TLS).
/// Shared by the test projects (linked into CertPolicy.Cli.Tests). Every connection is served for at most 10 seconds and then reported through
/// <see cref="NextConnectionAsync"/>; disposing stops the listener and waits for the accept loop.
/// </summary>
public sealed class LoopbackTlsServer : IAsyncDisposable
{
    /// <summary>The body of every <see cref="LoopbackApplication.Http"/> answer.</summary>
    public const string HttpBody = "hello from the management server";

    private static readonly TimeSpan ConnectionLimit = TimeSpan.FromSeconds(10);

    private readonly TcpListener _listener;
    private readonly LoopbackApplication _application;
    private readonly SslProtocols _protocols;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ServedConnection> _served = Channel.CreateUnbounded<ServedConnection>();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _serverNames = new();
    private readonly Task _acceptLoop;
    private SslStreamCertificateContext? _context;
    private int _connections;
    private int _disposed;

    private LoopbackTlsServer(SslStreamCertificateContext? context, LoopbackApplication application, IPAddress address, SslProtocols protocols = SslProtocols.Tls13)
    {
        _context = context;
        _application = application;
        _protocols = protocols;
        _listener = new TcpListener(address, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port" (for a server on 127.0.0.1).</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The server name (SNI) each completed TLS handshake asked for, in order; empty text when the client sent none.</summary>
    public IReadOnlyList<string> ServerNames => [.. _serverNames];

    /// <summary>How many connections were accepted.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>
    /// Starts a server presenting <paramref name="leaf"/> (with its private key) and <paramref name="chain"/>, on
    /// 127.0.0.1 unless another loopback <paramref name="address"/> is given, speaking TLS 1.3 only unless other
    /// <paramref name="protocols"/> are given (<see cref="SslProtocols.Tls12"/> for a server that has not moved to 1.3).
    /// </summary>
    public static LoopbackTlsServer Start(X509Certificate2 leaf, IEnumerable<X509Certificate2>? chain = null, LoopbackApplication application = LoopbackApplication.Echo, IPAddress? address = null, SslProtocols protocols = SslProtocols.Tls13)
    {
        address ??= IPAddress.Loopback;
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("Tests listen on loopback addresses only.", nameof(address));
        }

        return new LoopbackTlsServer(Context(leaf, chain), application, address, protocols);
    }

    /// <summary>Starts a server on 127.0.0.1 that does not speak TLS: <see cref="LoopbackApplication.PlainText"/> or <see cref="LoopbackApplication.Silent"/>.</summary>
    public static LoopbackTlsServer StartWithoutTls(LoopbackApplication behaviour)
    {
        if (behaviour is not (LoopbackApplication.PlainText or LoopbackApplication.Silent))
        {
            throw new ArgumentOutOfRangeException(nameof(behaviour), behaviour, "A server without TLS is PlainText or Silent.");
        }

        return new LoopbackTlsServer(null, behaviour, IPAddress.Loopback);
    }

    /// <summary>Presents another certificate from the next connection on (an administrator changed the server's certificate).</summary>
    public void Present(X509Certificate2 leaf, IEnumerable<X509Certificate2>? chain = null) => Volatile.Write(ref _context, Context(leaf, chain));

    /// <summary>Waits (at most 10 seconds) for the next connection to be over and says what the server saw of it.</summary>
    public async Task<ServedConnection> NextConnectionAsync()
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        return await _served.Reader.ReadAsync(limit.Token);
    }

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

    private static SslStreamCertificateContext Context(X509Certificate2 leaf, IEnumerable<X509Certificate2>? chain)
    {
        // A PKCS#12 round trip gives an ephemeral key a form every platform's TLS stack can use.
        X509Certificate2 withKey = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(withKey, [.. chain ?? []], offline: true);
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
            _ = Task.Run(async () => _served.Writer.TryWrite(await ServeAsync(client)));
        }
    }

    private async Task<ServedConnection> ServeAsync(TcpClient client)
    {
        bool handshakeCompleted = false;
        long received = 0;
        long sent = 0;
        using (client)
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            limit.CancelAfter(ConnectionLimit);
            try
            {
                NetworkStream stream = client.GetStream();
                switch (_application)
                {
                    case LoopbackApplication.PlainText:
                        await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"u8.ToArray(), limit.Token);
                        return new ServedConnection(false, received, sent, "served");
                    case LoopbackApplication.Silent:
                        await stream.ReadAtLeastAsync(new byte[1024], 1, throwOnEndOfStream: false, limit.Token);
                        await Task.Delay(Timeout.InfiniteTimeSpan, limit.Token);
                        return new ServedConnection(false, received, sent, "eof");
                }

                await using var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = Volatile.Read(ref _context),
                        EnabledSslProtocols = _protocols,
                        ClientCertificateRequired = false,
                    },
                    limit.Token);
                handshakeCompleted = true;
                _serverNames.Enqueue(tls.TargetHostName);

                byte[] buffer = new byte[4096];
                if (_application == LoopbackApplication.Echo)
                {
                    while (true)
                    {
                        int read = await tls.ReadAsync(buffer, limit.Token);
                        if (read == 0)
                        {
                            return new ServedConnection(true, received, sent, "eof");
                        }

                        received += read;
                        await tls.WriteAsync(buffer.AsMemory(0, read), limit.Token);
                        sent += read;
                    }
                }

                var head = new StringBuilder();
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await tls.ReadAsync(buffer, limit.Token);
                    if (read == 0)
                    {
                        return new ServedConnection(true, received, sent, "eof");
                    }

                    received += read;
                    head.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                byte[] body = Encoding.UTF8.GetBytes(HttpBody);
                byte[] answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await tls.WriteAsync(answer, limit.Token);
                await tls.WriteAsync(body, limit.Token);
                await tls.FlushAsync(limit.Token);
                sent += answer.Length + body.Length;
                return new ServedConnection(true, received, sent, "served");
            }
            catch (OperationCanceledException)
            {
                return new ServedConnection(handshakeCompleted, received, sent, "timeout");
            }
            catch (Exception ex) when (ex is AuthenticationException && !handshakeCompleted)
            {
                return new ServedConnection(false, received, sent, "handshake failed");
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or AuthenticationException)
            {
                return new ServedConnection(handshakeCompleted, received, sent, handshakeCompleted ? "reset" : "handshake failed");
            }
        }
    }
}
