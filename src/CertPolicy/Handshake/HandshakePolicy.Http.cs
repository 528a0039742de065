using System.Diagnostics;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>HTTP: <see cref="SocketsHttpHandler"/>s that judge each connection's server before any request is sent.</summary>
public sealed partial class HandshakePolicy
{
    /// <summary>What the TLS layer saw on each HTTPS connection, until the connection's decision is taken.</summary>
    private readonly ConditionalWeakTable<SslStream, HttpHandshake> _httpHandshakes = [];

    /// <summary>
    /// A handler for <see cref="HttpClient"/> that judges each connection's server by the host and port of the
    /// request that opened it (an IP literal is an IP identity), through proxies too, and never downloads anything
    /// (no issuer from the certificate's AIA URL, no revocation list). A refusal fails the request with an
    /// <see cref="HttpRequestException"/> whose inner exception is a <see cref="CertificateRejectedException"/>
    /// carrying the decision. The synchronous rules of <see cref="CreateValidationCallback"/> apply: Warn without a
    /// remembered approval refuses.
    /// </summary>
    /// <remarks>
    /// The TLS handshake completes, then the handler's plaintext stream filter decides before a single byte of the
    /// request is written; a refused connection is closed. The profile's
    /// <see cref="EndpointProfileOptions.MinimumTlsVersion"/> is applied there too: a connection whose handshake
    /// completed at an older version (the newest the server speaks) fails with a <see cref="TlsVersionRejectedException"/>
    /// as the inner exception of the <see cref="HttpRequestException"/>. Not judged: plain <c>http://</c> requests (no
    /// certificate) and HTTP/3 (QUIC connections are always refused).
    /// </remarks>
    /// <returns>A new handler; the caller owns it.</returns>
    public SocketsHttpHandler CreateHttpHandler()
    {
        var handler = new SocketsHttpHandler();
        Configure(handler);
        return handler;
    }

    /// <summary>
    /// Sets a <see cref="SocketsHttpHandler"/> up as <see cref="CreateHttpHandler"/> does: each connection's server is
    /// judged by the host and port of the request that opened it. Does nothing when this policy already configured
    /// the handler.
    /// </summary>
    /// <param name="handler">The handler to change; its other settings (timeouts, proxy, protocols) are kept.</param>
    /// <exception cref="InvalidOperationException">The handler already has a certificate validation callback or a
    /// plaintext stream filter of someone else's (CertPolicy would be bypassed or would bypass it).</exception>
    public void Configure(SocketsHttpHandler handler) => ConfigureHttp(handler, null);

    /// <summary>
    /// Sets a <see cref="SocketsHttpHandler"/> up to judge every server it connects to as <paramref name="identity"/>:
    /// for a client dedicated to one server (an agent's client of its management server). A request to another
    /// host is refused, since its certificate does not name <paramref name="identity"/>. Refusals and downloads as
    /// in <see cref="CreateHttpHandler"/>.
    /// </summary>
    /// <param name="handler">The handler to change.</param>
    /// <param name="identity">The one server the handler talks to.</param>
    /// <exception cref="InvalidOperationException">The handler already has a certificate validation callback or a
    /// plaintext stream filter of someone else's.</exception>
    public void Configure(SocketsHttpHandler handler, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ConfigureHttp(handler, identity);
    }

    /// <summary>True when this policy has set <paramref name="handler"/> up.</summary>
    internal bool HasConfigured(SocketsHttpHandler handler) =>
        handler.SslOptions.RemoteCertificateValidationCallback?.Target == this;

    private void ConfigureHttp(SocketsHttpHandler handler, ServerIdentity? identity)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (HasConfigured(handler))
        {
            return;
        }

        if (handler.SslOptions.RemoteCertificateValidationCallback is not null || handler.PlaintextStreamFilter is not null)
        {
            throw new InvalidOperationException(
                "This SocketsHttpHandler already has a certificate validation callback or a plaintext stream filter: CertPolicy "
                + "will not replace someone else's check (nor let it replace CertPolicy's). Give CertPolicy a handler without them.");
        }

        // A copy: the handler's options object may be shared with other handlers. The target host is left as it is
        // (the handler takes it from each request's URI when none is set).
        SslClientAuthenticationOptions options = ClientOptions.Copy(handler.SslOptions);
        SetValidation(options, CaptureHttpHandshake);
        handler.SslOptions = options;
        handler.PlaintextStreamFilter = (context, _) => JudgeHttpConnection(context, identity);
    }

    /// <summary>
    /// The validation callback of an HTTP handler: the port of the connection is not known here, so it only keeps
    /// what the server sent for <see cref="JudgeHttpConnection"/>, which decides before any request is written.
    /// </summary>
    private bool CaptureHttpHandshake(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // HTTP/3 (QUIC) connections have no plaintext filter to decide in: refused.
        if (sender is not SslStream stream || certificate is null)
        {
            return false;
        }

        try
        {
            X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            if (_httpHandshakes.TryGetValue(stream, out HttpHandshake? earlier))
            {
                // A later handshake on the same connection (a TLS 1.2 renegotiation) may go on only with the same leaf.
                return earlier.Leaf.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span);
            }

            var others = new X509Certificate2Collection();
            foreach (X509Certificate2 other in chain?.ChainPolicy.ExtraStore ?? [])
            {
                others.Add(X509CertificateLoader.LoadCertificate(other.RawDataMemory.Span));
            }

            _httpHandshakes.AddOrUpdate(stream, new HttpHandshake(leaf, others));
            return true;
        }
#pragma warning disable CA1031 // A handshake callback must never throw: anything unexpected refuses (fail closed).
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Decides about a new HTTPS connection before the handler writes the request; throws to refuse.</summary>
    private ValueTask<Stream> JudgeHttpConnection(SocketsHttpPlaintextStreamFilterContext context, ServerIdentity? identity)
    {
        if (context.PlaintextStream is not SslStream stream)
        {
            // Plain http://: no certificate, nothing to judge.
            return ValueTask.FromResult(context.PlaintextStream);
        }

        if (!_httpHandshakes.TryGetValue(stream, out HttpHandshake? handshake))
        {
            throw new InvalidOperationException("CertPolicy saw no server certificate for this HTTPS connection; the connection is refused.");
        }

        identity ??= IdentityOf(context.InitialRequestMessage);
        long started = Stopwatch.GetTimestamp();
        CertificateDecisionEngine engine = CurrentEngine();

        // The handler's protocols are not narrowed (SocketsHttpHandler reports a failed handshake only as a generic
        // error): the handshake picks the newest version both sides speak, and one below the floor is refused here.
        RequireFloor(engine, identity, stream.SslProtocol);
        CertificateDecision decision = Decide(engine, identity, handshake.Leaf, handshake.Others, started);
        return decision.ShouldConnect ? ValueTask.FromResult<Stream>(stream) : throw new CertificateRejectedException(decision);
    }

    private static ServerIdentity IdentityOf(HttpRequestMessage request)
    {
        Uri uri = request.RequestUri ?? throw new InvalidOperationException("The request has no URI; CertPolicy cannot tell which server it is for.");
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.IdnHost;
        return ServerIdentity.TryCreate(host, uri.Port, out ServerIdentity? identity, out string? error)
            ? identity
            : throw new InvalidOperationException($"CertPolicy cannot judge a server named '{uri.Host}': {error}");
    }

    /// <summary>The certificates one HTTPS connection's server sent (copies, owned here).</summary>
    private sealed record HttpHandshake(X509Certificate2 Leaf, X509Certificate2Collection Others);
}
