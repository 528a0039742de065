using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CertPolicy.Samples.EmsServer;

/// <summary>
/// A management server in miniature: accepts agents over TLS 1.3 on a loopback address, presents its
/// certificate (its own, or the vendor default), answers each agent's first request and closes. One listener
/// serves both protocols, so the certificate switches apply to both: an EMS request line is greeted and echoed,
/// an HTTP/1.1 request (<c>GET /api/v1/licence</c>) gets a short JSON answer (<see cref="HttpEndpoint"/>).
/// </summary>
public sealed class ManagementServer : IAsyncDisposable
{
    private static readonly TimeSpan s_handshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(2);
    private static readonly byte[] s_greeting = Encoding.UTF8.GetBytes("EMS 1.0 ready: licence, configuration and commands available\n");

    private readonly TcpListener _listener;
    private SslStreamCertificateContext _certificate;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _handshakes;

    private ManagementServer(TcpListener listener, SslStreamCertificateContext certificate)
    {
        _listener = listener;
        _certificate = certificate;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port the server listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The address the server listens on.</summary>
    public IPAddress Address => ((IPEndPoint)_listener.LocalEndpoint).Address;

    /// <summary>The certificate the server presents.</summary>
    public X509Certificate2 Certificate => Volatile.Read(ref _certificate).TargetCertificate;

    /// <summary>How many TLS handshakes completed.</summary>
    public int CompletedHandshakes => Volatile.Read(ref _handshakes);

    /// <summary>Starts a server presenting <paramref name="certificate"/> (with its private key) and the chain certificates.</summary>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <param name="chain">Intermediate certificates to send with it.</param>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="address">The loopback address to listen on; 127.0.0.1 when null.</param>
    public static ManagementServer Start(X509Certificate2 certificate, IEnumerable<X509Certificate2>? chain = null, int port = 0, IPAddress? address = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        address ??= IPAddress.Loopback;
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException("The sample server listens on loopback addresses only.", nameof(address));
        }

        var context = SslStreamCertificateContext.Create(certificate, [.. chain ?? []], offline: true);
        var listener = new TcpListener(address, port);
        listener.Start();
        return new ManagementServer(listener, context);
    }

    /// <summary>Starts a server presenting the vendor default certificate (the "use SSL certificate" setting off).</summary>
    /// <param name="port">The port; 0 picks a free one.</param>
    public static ManagementServer StartWithVendorDefault(int port = 0) => Start(VendorDefaultCertificate.Load(), null, port);

    /// <summary>Starts a server presenting the certificate chain of a PEM file (leaf first) with the key of a PEM key file.</summary>
    /// <param name="certificatePemPath">The PEM file: the server certificate first, then its intermediates.</param>
    /// <param name="keyPemPath">The PEM file of the server certificate's private key.</param>
    /// <param name="port">The port; 0 picks a free one.</param>
    public static ManagementServer StartWithPemFiles(string certificatePemPath, string keyPemPath, int port = 0)
    {
        (X509Certificate2 leaf, X509Certificate2[] intermediates) = LoadPem(certificatePemPath, keyPemPath);
        return Start(leaf, intermediates, port);
    }

    private static (X509Certificate2 Leaf, X509Certificate2[] Intermediates) LoadPem(string certificatePemPath, string keyPemPath)
    {
        X509Certificate2 leaf = X509Certificate2.CreateFromPemFile(certificatePemPath, keyPemPath);
        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(certificatePemPath);
        return (leaf, [.. all.Skip(1)]);
    }

    /// <summary>
    /// Presents another certificate from the next connection on, as when an administrator switches the
    /// "use SSL certificate" setting.
    /// </summary>
    /// <param name="certificate">The server certificate, with its private key.</param>
    /// <param name="chain">Intermediate certificates to send with it.</param>
    public void Present(X509Certificate2 certificate, IEnumerable<X509Certificate2>? chain = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        Volatile.Write(ref _certificate, SslStreamCertificateContext.Create(certificate, [.. chain ?? []], offline: true));
    }

    /// <summary>Presents the certificate chain of a PEM file (leaf first) with the key of a PEM key file from the next connection on.</summary>
    /// <param name="certificatePemPath">The PEM file: the server certificate first, then its intermediates.</param>
    /// <param name="keyPemPath">The PEM file of the server certificate's private key.</param>
    public void PresentPemFiles(string certificatePemPath, string keyPemPath)
    {
        (X509Certificate2 leaf, X509Certificate2[] intermediates) = LoadPem(certificatePemPath, keyPemPath);
        Present(leaf, intermediates);
    }

    /// <summary>Presents the vendor default certificate from the next connection on (the setting switched off).</summary>
    public void PresentVendorDefault() => Present(VendorDefaultCertificate.Load());

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
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
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(s_handshakeTimeout);
            try
            {
                await using var tls = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions
                    {
                        ServerCertificateContext = Volatile.Read(ref _certificate),
                        EnabledSslProtocols = SslProtocols.Tls13,
                        ClientCertificateRequired = false,
                    },
                    timeout.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _handshakes);

                // The agent speaks first: an EMS agent sends a request line, an HTTP client its request, and the first
                // bytes say which. An agent that waits for the server to speak first is greeted after the request
                // timeout, then may still send its request line.
                timeout.CancelAfter(2 * s_requestTimeout);
                byte[] buffer = new byte[HttpEndpoint.MaxRequestHead];
                Task<int> first = tls.ReadAsync(buffer, timeout.Token).AsTask();
                bool greeted = false;
                if (await Task.WhenAny(first, Task.Delay(s_requestTimeout, timeout.Token)).ConfigureAwait(false) != first)
                {
                    await tls.WriteAsync(s_greeting, timeout.Token).ConfigureAwait(false);
                    await tls.FlushAsync(timeout.Token).ConfigureAwait(false);
                    greeted = true;
                }

                int read = await first.ConfigureAwait(false);
                if (read > 0 && !greeted && HttpEndpoint.IsRequest(buffer.AsSpan(0, read)))
                {
                    await HttpEndpoint.AnswerAsync(tls, buffer, read, timeout.Token).ConfigureAwait(false);
                }
                else if (read > 0)
                {
                    string request = Encoding.UTF8.GetString(buffer, 0, read).Trim();
                    byte[] answer = [.. greeted ? [] : s_greeting, .. Encoding.UTF8.GetBytes($"EMS: received '{request}'\n")];
                    await tls.WriteAsync(answer, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // An agent that refused our certificate closes the connection during or right after the handshake.
            }
        }
    }
}
