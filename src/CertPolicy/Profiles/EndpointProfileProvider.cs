using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CertPolicy;

/// <summary>
/// The decision engine of each endpoint profile registered with <c>AddCertPolicy</c>, kept current: when the
/// configuration reloads, the next <see cref="GetEngine"/> returns an engine built from the new settings; when the
/// new settings are not valid, the error is logged and the last good engine stays in force.
/// </summary>
public sealed class EndpointProfileProvider : IDisposable
{
    private readonly ProfileRegistry _registry;
    private readonly IOptionsFactory<EndpointProfileOptions> _factory;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ILogger _logger;
    private readonly CertPolicyMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly Lock _reloadGate = new();
    // One slot per profile, filled at construction (profiles are fixed): a handshake reads the slot's current snapshot
    // without a lock; a reload builds the new engine first and then swaps the snapshot in (Volatile.Write).
    private readonly Dictionary<string, ProfileSlot> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PromptFlights> _flights = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApprovalStore> _approvalStores = new(ProfilePaths.Comparer);
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Dictionary<string, HandshakePolicy> _handshakePolicies = new(StringComparer.Ordinal);

    internal EndpointProfileProvider(
        ProfileRegistry registry,
        IOptionsFactory<EndpointProfileOptions> factory,
        IOptionsMonitor<EndpointProfileOptions> monitor,
        IEnumerable<IOptionsChangeTokenSource<EndpointProfileOptions>> changeSources,
        IServiceProvider services,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory)
    {
        _registry = registry;
        _factory = factory;
        _services = services;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = (ILogger?)loggerFactory?.CreateLogger<EndpointProfileProvider>() ?? NullLogger.Instance;
        _metrics = CertPolicyMetrics.Create(meterFactory);

        foreach (string name in registry.Names)
        {
            // The monitor's instance is the one ValidateOnStart checked (and whose files it loaded); without a host,
            // a bad profile fails here.
            EndpointProfileOptions options = monitor.Get(name);
            _profiles[name] = new ProfileSlot(new Profile(options.SettingsKey(), Build(name, options), null));
        }

        foreach (IOptionsChangeTokenSource<EndpointProfileOptions> source in changeSources)
        {
            if (registry.TryGetCanonicalName(source.Name ?? Options.DefaultName, out string name))
            {
                _subscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, () => Reload(name)));
            }
        }
    }

    /// <summary>The names of the registered profiles.</summary>
    public IReadOnlyCollection<string> ProfileNames => _registry.Names;

    /// <summary>The current engine of a profile. Call it for each handshake: after a reload it returns the new engine.</summary>
    /// <param name="profileName">The profile's name (case does not matter).</param>
    /// <returns>The engine.</returns>
    /// <exception cref="ArgumentException">No profile has that name.</exception>
    public CertificateDecisionEngine GetEngine(string profileName)
    {
        ArgumentNullException.ThrowIfNull(profileName);
        if (!_registry.TryGetCanonicalName(profileName, out string name))
        {
            throw new ArgumentException($"No endpoint profile named '{profileName}' is registered; registered: {string.Join(", ", _registry.Names)}.", nameof(profileName));
        }

        return _profiles[name].Current.Engine;
    }

    /// <summary>
    /// The handshake policy of a profile: validation callbacks, client options and HTTP handlers that always use
    /// the profile's current engine, with one fast-path cache per profile (emptied when the profile reloads).
    /// </summary>
    /// <param name="profileName">The profile's name (case does not matter).</param>
    /// <returns>The same instance for every call with the same profile.</returns>
    /// <exception cref="ArgumentException">No profile has that name.</exception>
    public HandshakePolicy GetHandshakePolicy(string profileName)
    {
        ArgumentNullException.ThrowIfNull(profileName);
        if (!_registry.TryGetCanonicalName(profileName, out string name))
        {
            throw new ArgumentException($"No endpoint profile named '{profileName}' is registered; registered: {string.Join(", ", _registry.Names)}.", nameof(profileName));
        }

        lock (_gate)
        {
            if (!_handshakePolicies.TryGetValue(name, out HandshakePolicy? policy))
            {
                policy = new HandshakePolicy(() => GetEngine(name));
                _handshakePolicies[name] = policy;
            }

            return policy;
        }
    }

    /// <summary>Stops following configuration reloads.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            foreach (IDisposable subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }
    }

    /// <summary>
    /// Rebuilds a profile's engine after a configuration change, from freshly bound settings (the options factory,
    /// not the monitor, whose cache may not have been refreshed yet when this runs). Settings equal to the current
    /// ones keep the current engine; bad settings keep it too, and are logged once (a reload often raises several
    /// change notifications).
    /// </summary>
    private void Reload(string name)
    {
        // Reloads run one at a time, so an older configuration can never overwrite a newer one.
        lock (_reloadGate)
        {
            ReloadUnderGate(name);
        }
    }

    private void ReloadUnderGate(string name)
    {
        EndpointProfileOptions options;
        CertificateDecisionEngine engine;
        try
        {
            options = _factory.Create(name);
            Profile current = _profiles[name].Current;
            if (current.SettingsKey == options.SettingsKey())
            {
                _profiles[name].Current = current with { LastRejection = null };
                return;
            }

            engine = Build(name, options);
        }
#pragma warning disable CA1031 // A bad reload (binding, validation or loading error) must never take the last good policy away.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Profile current = _profiles[name].Current;
            bool repeated = current.LastRejection == ex.Message;
            _profiles[name].Current = current with { LastRejection = ex.Message };

            if (!repeated)
            {
                Log.ProfileReloadRejected(_logger, ex, name);
            }

            return;
        }

        _profiles[name].Current = new Profile(options.SettingsKey(), engine, null);

        Log.ProfileReloaded(_logger, name, engine.InvalidCertificateAction, engine.Validator.Mode);
    }

    private CertificateDecisionEngine Build(string name, EndpointProfileOptions options)
    {
        ProfileResources resources = ProfileResources.Get(options);
        var validator = new CertificateValidator(
            EndpointProfileOptionsValidator.ToValidatorOptions(options, resources.TrustStore, resources.RevocationLists), _timeProvider);
        var engineOptions = new CertificateDecisionEngineOptions
        {
            ProfileName = name,
            InvalidCertificateAction = options.InvalidCertificateAction,
            PromptTimeout = options.PromptTimeout,
            Prompt = FindPrompt(name),
            TimeProvider = _timeProvider,
            LoggerFactory = _loggerFactory,
        };
        CopyFingerprints(options, engineOptions);

        lock (_gate)
        {
            engineOptions.Approvals = GetApprovalStore(name, options.ApprovalsFile);
            if (!_flights.TryGetValue(name, out PromptFlights? flights))
            {
                // Shared by every engine of the profile, so a reload during a question does not ask it twice.
                flights = new PromptFlights();
                _flights.Add(name, flights);
            }

            return new CertificateDecisionEngine(validator, engineOptions, flights, _metrics);
        }
    }

    /// <summary>The profile's distrust list and pre-approvals, carried to the engine.</summary>
    private static void CopyFingerprints(EndpointProfileOptions options, CertificateDecisionEngineOptions engineOptions)
    {
        foreach (string entry in options.DistrustedFingerprints)
        {
            engineOptions.DistrustedFingerprints.Add(entry);
        }

        foreach (string entry in options.PreApprovedFingerprints)
        {
            engineOptions.PreApprovedFingerprints.Add(entry);
        }
    }

    /// <summary>The prompt registered for this profile (keyed by its name), else the one registered for all.</summary>
    private ICertificatePrompt? FindPrompt(string profileName) =>
        (_services as IKeyedServiceProvider)?.GetKeyedService(typeof(ICertificatePrompt), profileName) as ICertificatePrompt
            ?? _services.GetService(typeof(ICertificatePrompt)) as ICertificatePrompt;

    private ApprovalStore GetApprovalStore(string profileName, string? configuredFile)
    {
        string? path = string.IsNullOrWhiteSpace(configuredFile) ? FileApprovalStore.DefaultFilePath : ProfilePaths.Resolve(configuredFile);
        if (path is null)
        {
            Log.ApprovalsFileLocationUnavailable(_logger, profileName);
            path = string.Empty;
        }

        if (!_approvalStores.TryGetValue(path, out ApprovalStore? store))
        {
            store = path.Length == 0 ? new InMemoryApprovalStore() : new FileApprovalStore(path, _timeProvider, _loggerFactory);
            _approvalStores.Add(path, store);
        }

        return store;
    }

    /// <summary>A profile's engine, the settings it was built from, and the last rejected reload's error: an immutable snapshot.</summary>
    private sealed record Profile(string SettingsKey, CertificateDecisionEngine Engine, string? LastRejection);

    /// <summary>Where a profile's current snapshot is published: written only by reloads (one at a time), read by every handshake.</summary>
    private sealed class ProfileSlot(Profile initial)
    {
        private Profile _current = initial;

        public Profile Current
        {
            get => Volatile.Read(ref _current);
            set => Volatile.Write(ref _current, value);
        }
    }
}
