using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Benchmarks.Support;

/// <summary>
/// A TLS 1.3 server on 127.0.0.1 (port chosen by the system) in the benchmark process: accepts in a loop, completes
/// the handshake with the chain's leaf and intermediate, then waits for the client to close.
/// </summary>
public sealed class LoopbackTlsServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly SslServerAuthenticationOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;

    private LoopbackTlsServer(TcpListener listener, SslServerAuthenticationOptions options)
    {
        _listener = listener;
        _options = options;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static LoopbackTlsServer Start(BenchmarkChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(chain.Leaf, [chain.Intermediate], offline: true),
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificateRequired = false,
        };
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(backlog: 1024);
        return new LoopbackTlsServer(listener, options);
    }

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

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                await stream.AuthenticateAsServerAsync(_options, _stop.Token).ConfigureAwait(false);

                // Nothing to serve: wait for the client to close (0 bytes) so the connection ends cleanly.
                byte[] buffer = new byte[16];
                while (await stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false) > 0)
                {
                }
            }
#pragma warning disable CA1031 // A client that goes away mid-handshake must not stop the server.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
