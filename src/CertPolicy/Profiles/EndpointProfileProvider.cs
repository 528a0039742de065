using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>
/// The decision engine of each endpoint profile registered with <c>AddCertPolicy</c>, kept current: when the
/// configuration reloads, the next <see cref="GetEngine"/> returns an engine built from the new settings; when the
/// new settings are not valid, the error is logged and the last good engine stays in force.
/// </summary>
/// <remarks>
/// Follows <see cref="IOptionsMonitor{TOptions}.OnChange"/>: a change builds the new profile (engine, trust store,
/// revocation lists, approvals store) on the thread that reports the change, never on a handshake, and then publishes
/// it as an immutable snapshot (<see cref="Volatile.Write{T}(ref T, T)"/>); handshakes read snapshots without a lock.
/// </remarks>
public sealed class EndpointProfileProvider : IDisposable
{
    private readonly ProfileRegistry _registry;
    private readonly IReadOnlyDictionary<string, ICertificatePrompt?> _prompts;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ILogger _logger;
    private readonly CertPolicyMetrics _metrics;
    private readonly Lock _gate = new();
    private readonly Lock _changeGate = new();
    // One slot per profile, filled at construction (profiles are fixed). Written only under _changeGate (changes are applied
    // one at a time, so an older configuration can never overwrite a newer one), read by every handshake.
    private readonly Dictionary<string, ProfileSlot> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PromptFlights> _flights = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApprovalStore> _approvalStores = new(ProfilePaths.Comparer);
    private readonly Dictionary<string, PendingQuestionStore> _pendingStores = new(ProfilePaths.Comparer);
    private readonly Dictionary<string, HandshakePolicy> _handshakePolicies = new(StringComparer.Ordinal);
    private readonly IDisposable? _changes;
    private readonly IDisposable _rejections;

    internal EndpointProfileProvider(
        ProfileRegistry registry,
        IOptionsMonitor<EndpointProfileOptions> monitor,
        ProfileRejections rejections,
        IReadOnlyDictionary<string, ICertificatePrompt?> prompts,
        TimeProvider timeProvider,
        ILoggerFactory? loggerFactory,
        IMeterFactory? meterFactory)
    {
        _registry = registry;
        _prompts = prompts;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = (ILogger?)loggerFactory?.CreateLogger<EndpointProfileProvider>() ?? NullLogger.Instance;
        _metrics = CertPolicyMetrics.Create(meterFactory);

        foreach (string name in registry.Names)
        {
            // The monitor's instance is the one ValidateOnStart checked; without a host, a bad profile fails here.
            EndpointProfileOptions options = monitor.Get(name);
            _profiles[name] = new ProfileSlot(Build(name, options));
        }

        _rejections = rejections.Listen(OnRejected);
        _changes = monitor.OnChange(OnChanged);
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
        _changes?.Dispose();
        _rejections.Dispose();
    }

    /// <summary>
    /// Applies changed settings: equal to the current ones (bound from the same configuration), it keeps the current
    /// profile; else it builds the new profile and swaps it in. When building fails (a file named cannot be loaded),
    /// the current profile stays and the reason is logged.
    /// </summary>
    private void OnChanged(EndpointProfileOptions options, string? changedName)
    {
        if (!_registry.TryGetCanonicalName(changedName ?? Options.DefaultName, out string name))
        {
            return;
        }

        lock (_changeGate)
        {
            ProfileSlot slot = _profiles[name];
            Profile current = slot.Current;
            if (options.BoundFrom is not null && options.BoundFrom == current.BoundFrom)
            {
                slot.Current = current with { LastRejection = null };
                return;
            }

            Profile next;
            try
            {
                next = Build(name, options);
            }
#pragma warning disable CA1031 // A profile that cannot be built must never take the last good policy away.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RejectUnderGate(name, ex);
                return;
            }

            // The replaced snapshot holds nothing to release: its engine, trust store and revocation lists are
            // plain objects a handshake may still be using, and approvals stores are shared by file and kept.
            slot.Current = next;
            Log.ProfileReloaded(_logger, name, next.Engine.InvalidCertificateAction, next.Engine.Validator.Mode);
        }
    }

    /// <summary>Settings that could not be bound or validated: the options monitor reports no change, so log it here.</summary>
    private void OnRejected(string rejectedName, Exception error)
    {
        if (_registry.TryGetCanonicalName(rejectedName, out string name) && _profiles.ContainsKey(name))
        {
            lock (_changeGate)
            {
                RejectUnderGate(name, error);
            }
        }
    }

    /// <summary>Logs why a change was not applied, once per reason (one reload may raise several notifications).</summary>
    private void RejectUnderGate(string name, Exception error)
    {
        ProfileSlot slot = _profiles[name];
        Profile current = slot.Current;
        if (current.LastRejection == error.Message)
        {
            return;
        }

        slot.Current = current with { LastRejection = error.Message };
        Log.ProfileReloadRejected(_logger, error, name, error.Message);
    }

    /// <summary>Builds a profile: loads the files its settings name, then its validator and engine.</summary>
    /// <exception cref="OptionsValidationException">A file cannot be loaded; the error names the profile and the setting.</exception>
    private Profile Build(string name, EndpointProfileOptions options)
    {
        ProfileResources resources = ProfileResources.Load(name, options);
        var validatorOptions = new CertificateValidatorOptions
        {
            TrustStore = resources.TrustStore,
            Mode = options.Mode,
            ExpectedSubject = string.IsNullOrWhiteSpace(options.ExpectedSubject) ? null : options.ExpectedSubject,
            AcceptCommonNameWithoutSubjectAltName = options.AcceptCommonNameWithoutSubjectAltName,
            ClockSkew = options.ClockSkew,
            MaxChainDepth = options.MaxChainDepth,
            MaxSignatureChecks = options.MaxSignatureChecks,
        };
        foreach (ReadOnlyMemory<byte> list in resources.RevocationLists)
        {
            validatorOptions.RevocationLists.Add(list);
        }

        var validator = new CertificateValidator(validatorOptions, _timeProvider);
        var engineOptions = new CertificateDecisionEngineOptions
        {
            ProfileName = name,
            InvalidCertificateAction = options.InvalidCertificateAction,
            PromptTimeout = options.PromptTimeout,
            MinimumTlsVersion = options.MinimumTlsVersion,
            ApprovalScope = options.ApprovalScope,
            ApprovalLifetime = options.ApprovalLifetime,
            Prompt = _prompts.GetValueOrDefault(name),
            TimeProvider = _timeProvider,
            LoggerFactory = _loggerFactory,
        };
        CopyFingerprints(options, engineOptions);

        lock (_gate)
        {
            engineOptions.Approvals = GetApprovalStore(name, options.ApprovalsFile);
            engineOptions.PendingQuestions = options.RecordPendingQuestions ? GetPendingQuestionStore(engineOptions.Approvals) : null;
            if (!_flights.TryGetValue(name, out PromptFlights? flights))
            {
                // Shared by every engine of the profile, so a reload during a question does not ask it twice.
                flights = new PromptFlights();
                _flights.Add(name, flights);
            }

            return new Profile(new CertificateDecisionEngine(validator, engineOptions, flights, _metrics), options.BoundFrom, null);
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

    /// <summary>The questions kept beside a file of approvals, one store per file (shared like the approvals); null for approvals in memory.</summary>
    private PendingQuestionStore? GetPendingQuestionStore(ApprovalStore approvals)
    {
        if (approvals is not FileApprovalStore file)
        {
            return null;
        }

        string path = PendingQuestionStore.FilePathFor(file.FilePath);
        if (!_pendingStores.TryGetValue(path, out PendingQuestionStore? store))
        {
            store = new PendingQuestionStore(path, _timeProvider, _loggerFactory);
            _pendingStores.Add(path, store);
        }

        return store;
    }

    /// <summary>A profile's engine, the configuration it was bound from, and the last rejected reload's error: an immutable snapshot.</summary>
    private sealed record Profile(CertificateDecisionEngine Engine, string? BoundFrom, string? LastRejection);

    /// <summary>Where a profile's current snapshot is published: written only under the change gate, read by every handshake.</summary>
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
