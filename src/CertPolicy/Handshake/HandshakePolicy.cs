using System.Diagnostics;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// Applies an endpoint profile's decision engine to TLS handshakes: a validation callback for
/// <see cref="SslStream"/>, client options, an asynchronous handshake that can ask the user, and HTTP handlers.
/// One handshake, from callback to decision:
/// <list type="number">
/// <item>The TLS stack has already built a chain with the platform's engine. CertPolicy sets that build up to
/// be as cheap as possible (<see cref="CreateClientOptions"/>: custom root trust with an empty store, no
/// downloads, no revocation) and does not use its verdict: CertPolicy's own validator judges.</item>
/// <item>The fast path: the exact certificates the server sent, and the server identity, are looked up in a
/// bounded cache of earlier decisions. A hit answers at once, allocating nothing.</item>
/// <item>On a miss, the profile's engine judges: it validates the certificates and decides
/// (<see cref="CertificateDecisionEngine.DecideWithoutPrompt(IReadOnlyList{ReadOnlyMemory{byte}}, ServerIdentity)"/>;
/// a Warn profile without a remembered approval refuses there, since a synchronous callback cannot ask anyone: use
/// <see cref="AuthenticateAsClientAsync"/> to ask).</item>
/// <item>A decision that holds without anyone's answer is cached, for as long as the engine says it holds (the
/// verdict's interval and trust anchors, and the approvals it rests on); a decision that needed the user is not.
/// Every answer, from the cache or not, is logged and counted once by the engine.</item>
/// </list>
/// Thread-safe; create one per endpoint profile and share it.
/// </summary>
public sealed partial class HandshakePolicy
{
    /// <summary>The default number of decisions the fast path keeps.</summary>
    public const int DefaultCacheCapacity = 1024;

    private readonly Func<CertificateDecisionEngine> _engineSource;
    private readonly DecisionCache _cache;
    private readonly Lock _engineGate = new();
    private CertificateDecisionEngine? _cachedFor;

    /// <summary>Creates a handshake policy for one decision engine.</summary>
    /// <param name="engine">The engine of the endpoint profile.</param>
    public HandshakePolicy(CertificateDecisionEngine engine)
        : this(Fixed(engine))
    {
    }

    /// <summary>
    /// Creates a handshake policy that asks <paramref name="engineSource"/> for the current engine on every
    /// handshake, so a reloaded profile applies to the next handshake. The fast path is emptied whenever the
    /// source returns another engine.
    /// </summary>
    /// <param name="engineSource">Returns the profile's current engine; called on every handshake, so it must be cheap.</param>
    /// <param name="cacheCapacity">How many decisions the fast path keeps (1 to 1,000,000).</param>
    public HandshakePolicy(Func<CertificateDecisionEngine> engineSource, int cacheCapacity = DefaultCacheCapacity)
    {
        ArgumentNullException.ThrowIfNull(engineSource);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cacheCapacity, 1_000_000);
        _engineSource = engineSource;
        _cache = new DecisionCache(cacheCapacity);
    }

    /// <summary>Sees the copy of the caller's options that <see cref="AuthenticateAsClientAsync"/> hands to the stream (for tests).</summary>
    internal Action<SslClientAuthenticationOptions>? ClientOptionsCreated { get; set; }

    /// <summary>How many decisions the fast path holds now.</summary>
    public int CachedDecisionCount => _cache.Count;

    /// <summary>
    /// A validation callback for <see cref="SslStream"/> that lets the handshake complete only when the profile
    /// decides Connect without asking anyone.
    /// </summary>
    /// <param name="identity">The server the agent means to reach.</param>
    /// <returns>The callback.</returns>
    /// <remarks>
    /// Not checked by the callback alone: the profile's <see cref="EndpointProfileOptions.MinimumTlsVersion"/> (the
    /// platform does not tell a validation callback the version). It is applied by the protocols of
    /// <see cref="CreateClientOptions"/> and by <see cref="AuthenticateAsClientAsync"/>; with options of your own, set
    /// <see cref="SslClientAuthenticationOptions.EnabledSslProtocols"/> yourself.
    /// </remarks>
    public RemoteCertificateValidationCallback CreateValidationCallback(ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return (_, certificate, chain, _) => ShouldConnect(identity, certificate, chain);
    }

    /// <summary>
    /// Client options for <see cref="SslStream.AuthenticateAsClientAsync(SslClientAuthenticationOptions, CancellationToken)"/>:
    /// the target host (SNI) from the identity unless <paramref name="template"/> names one, the validation callback, and
    /// the cheapest offline platform chain build.
    /// </summary>
    /// <param name="identity">The server the agent means to reach.</param>
    /// <param name="template">Options to start from (protocols, ALPN, client certificates); copied, never changed. Null for defaults.</param>
    /// <returns>New options; adjust ALPN as needed. Their protocols are the template's (or the platform's) at or above
    /// the profile's <see cref="EndpointProfileOptions.MinimumTlsVersion"/>: a server that offers only older versions
    /// fails the handshake with the platform's <see cref="System.Security.Authentication.AuthenticationException"/>
    /// before the validation callback runs (an <see cref="System.Security.Authentication.AuthenticationException"/>
    /// that comes before the callback saw any certificate, under a floor, is that case). To get the reason as a
    /// <see cref="TlsVersionRejectedException"/>, use <see cref="AuthenticateAsClientAsync"/>.</returns>
    /// <exception cref="ArgumentException">The template enables only versions below the profile's floor.</exception>
    public SslClientAuthenticationOptions CreateClientOptions(ServerIdentity identity, SslClientAuthenticationOptions? template = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        SslClientAuthenticationOptions options = ClientOptions.Copy(template);
        options.TargetHost ??= identity.Host;
        TlsVersions.Apply(options, CurrentEngine().MinimumTlsVersion);
        SetValidation(options, CreateValidationCallback(identity));
        return options;
    }

    /// <summary>
    /// Completes a TLS handshake on <paramref name="stream"/>, then decides with the profile's engine, asking the
    /// user when the profile says Warn. On a refusal the stream is disposed before any application data is
    /// exchanged. Use this where an agent can wait for a person; use <see cref="CreateValidationCallback"/> where it
    /// cannot (the fast path answers both the same way for repeated decisions).
    /// </summary>
    /// <param name="stream">A new SslStream over a connected transport.</param>
    /// <param name="identity">The server the agent means to reach.</param>
    /// <param name="options">Client options to start from (protocols, ALPN); copied, never changed: the target host (when it names none) and the validation settings are set on the copy. Null for defaults.</param>
    /// <param name="cancellationToken">Cancels the handshake and the prompt.</param>
    /// <returns>The decision. When it is Refuse, the stream has been disposed.</returns>
    /// <exception cref="TlsVersionRejectedException">The server offered no TLS version at or above the profile's
    /// <see cref="EndpointProfileOptions.MinimumTlsVersion"/> (the stream has been disposed).</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> enable only versions below the profile's floor.</exception>
    public async ValueTask<CertificateDecision> AuthenticateAsClientAsync(
        SslStream stream,
        ServerIdentity identity,
        SslClientAuthenticationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(identity);
        // A copy: the caller's object may be reused for another server, or shared with a concurrent call.
        options = ClientOptions.Copy(options);
        options.TargetHost ??= identity.Host;
        CertificateDecisionEngine engine = CurrentEngine();
        TlsVersions.Apply(options, engine.MinimumTlsVersion);
        ClientOptionsCreated?.Invoke(options);

        // The TLS layer lets the handshake finish and only captures what the server sent; the decision is taken
        // right after, before a single byte of application data moves in either direction.
        PresentedCertificates? presented = null;
#pragma warning disable CA5359 // Not trust: the certificates are captured here and judged right after the handshake, before any data.
        // Only this stream's handshake is captured: any other stream that runs this callback is refused.
        SetValidation(options, (sender, certificate, chain, _) =>
        {
            if (!ReferenceEquals(sender, stream))
            {
                return false;
            }

            // A later handshake on the same stream (a TLS 1.2 renegotiation, after the decision) may go on only with
            // the very leaf that was judged.
            if (presented is { } judged)
            {
                return certificate is not null && judged.Certificates.Count > 0
                    && judged.Certificates[0].Span.SequenceEqual(PresentedCertificates.Capture(certificate, (X509Chain?)null).Certificates[0].Span);
            }

            presented = PresentedCertificates.Capture(certificate, chain);
            return true;
        });
#pragma warning restore CA5359

        CertificateDecision decision;
        try
        {
            try
            {
                await stream.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationException ex) when (presented is null && engine.MinimumTlsVersion != TlsVersionFloor.Platform)
            {
                // No certificate was seen: the handshake failed at the hello, where a version mismatch fails.
                Log.TlsVersionRejected(engine.Logger, engine.ProfileName, identity, engine.MinimumTlsVersion, "none in common");
                throw new TlsVersionRejectedException(engine.ProfileName, identity, engine.MinimumTlsVersion, null, ex);
            }

            RequireFloor(engine, identity, stream.SslProtocol);
            decision = await engine.DecideAsync(presented?.Certificates ?? [], identity, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (!decision.ShouldConnect)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }

        return decision;
    }

    /// <summary>Refuses a completed handshake below the profile's floor, before any application data (the platform reports the version).</summary>
    /// <exception cref="TlsVersionRejectedException">The handshake used an older version.</exception>
    private static void RequireFloor(CertificateDecisionEngine engine, ServerIdentity identity, SslProtocols negotiated)
    {
        if (!TlsVersions.Meets(negotiated, engine.MinimumTlsVersion))
        {
            Log.TlsVersionRejected(engine.Logger, engine.ProfileName, identity, engine.MinimumTlsVersion, TlsVersions.Name(negotiated));
            throw new TlsVersionRejectedException(engine.ProfileName, identity, engine.MinimumTlsVersion, negotiated, null);
        }
    }

    /// <summary>Sets the validation callback and the cheapest offline platform chain build on options this policy owns (a copy).</summary>
    private static void SetValidation(SslClientAuthenticationOptions options, RemoteCertificateValidationCallback callback)
    {
        options.RemoteCertificateValidationCallback = callback;
        options.CertificateChainPolicy = PlatformChainPolicy.CreateOffline();
        options.CertificateRevocationCheckMode = X509RevocationMode.NoCheck;
    }

    /// <summary>Empties the fast path (for example after changing something the policy cannot see).</summary>
    public void ClearCache() => _cache.Clear();

    /// <summary>The fast path and, on a miss, the full path: true to let the handshake complete.</summary>
    internal bool ShouldConnect(ServerIdentity identity, X509Certificate? certificate, X509Chain? chain)
    {
        try
        {
            long started = Stopwatch.GetTimestamp();
            CertificateDecisionEngine engine = CurrentEngine();
            if (certificate is not X509Certificate2 leaf)
            {
                return DecideFully(engine, identity, certificate, chain).ShouldConnect;
            }

            return Decide(engine, identity, leaf, chain?.ChainPolicy.ExtraStore, started).ShouldConnect;
        }
#pragma warning disable CA1031 // A handshake callback must never throw: anything unexpected refuses (fail closed).
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>The fast path and, on a miss, the full path, for a leaf and the other certificates the server sent.</summary>
    private CertificateDecision Decide(CertificateDecisionEngine engine, ServerIdentity identity, X509Certificate2 leaf, X509Certificate2Collection? others, long started)
    {
        var presented = new PresentedChain(identity, leaf.RawDataMemory.Span, others);
        if (_cache.TryGet(presented, engine, out CertificateDecision? cached))
        {
            engine.ObserveCachedAnswer(cached, started);
            return cached;
        }

        // Read before deciding: a decision under way when the cache is cleared is not added to it.
        long generation = _cache.Generation;
        CertificateDecision decision = engine.DecideWithoutPrompt(PresentedCertificates.Capture(leaf, others).Certificates, identity);
        _cache.Add(presented, engine, decision, generation);
        return decision;
    }

    private static CertificateDecision DecideFully(CertificateDecisionEngine engine, ServerIdentity identity, X509Certificate? certificate, X509Chain? chain) =>
        engine.DecideWithoutPrompt(PresentedCertificates.Capture(certificate, chain).Certificates, identity);

    private CertificateDecisionEngine CurrentEngine()
    {
        CertificateDecisionEngine engine = _engineSource() ?? throw new InvalidOperationException("The engine source returned null.");
        if (!ReferenceEquals(engine, Volatile.Read(ref _cachedFor)))
        {
            lock (_engineGate)
            {
                if (!ReferenceEquals(engine, _cachedFor))
                {
                    _cache.Clear();
                    Volatile.Write(ref _cachedFor, engine);
                }
            }
        }

        return engine;
    }

    private static Func<CertificateDecisionEngine> Fixed(CertificateDecisionEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return () => engine;
    }
}
