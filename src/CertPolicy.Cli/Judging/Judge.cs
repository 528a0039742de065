using CertPolicy.Cli.Certificates;

namespace CertPolicy.Cli.Judging;

/// <summary>
/// Judges chains with the library's public API, as agents do: the profile's validator (bound by the library from
/// the agent's settings), then the library's decision engine for each agent generation and action. Every call into
/// the library the tool makes to judge is here or in <see cref="AgentProfile"/>. Created before any connection, so
/// that a bad profile, trust store, CRL or approvals file fails first.
/// </summary>
internal sealed class Judge
{
    /// <summary>Certificates that expire within this time get a warning.</summary>
    public static readonly TimeSpan ExpiryWarningWindow = TimeSpan.FromDays(30);

    /// <summary>The actions, in the order tables show them.</summary>
    public static readonly InvalidCertificateAction[] Actions = [InvalidCertificateAction.Allow, InvalidCertificateAction.Warn, InvalidCertificateAction.Deny];

    private readonly TimeProvider _clock;
    private readonly List<string> _notes = [];
    private readonly MessageCollector _messages = new();
    private readonly ApprovalStore _approvals;
    private readonly Dictionary<string, (ApprovalStore Store, string? Problem)> _stores = new(StringComparer.Ordinal);

    private Judge(JudgeSettings settings, TimeProvider clock)
    {
        _clock = settings.At is { } at ? new FixedClock(at) : clock;
        Profile = AgentProfile.Load(settings, _clock);
        if (Profile.ApprovalsFile is { } path)
        {
            FileApprovalStore store = ApprovalsAccess.OpenForReading(path, _clock);
            _approvals = store;
            ApprovalsFile = store.FilePath;
            if (!File.Exists(store.FilePath))
            {
                _notes.Add($"The approvals file {store.FilePath} does not exist: no approval is remembered there.");
            }
        }
        else
        {
            _approvals = new InMemoryApprovalStore();
            _notes.Add("Remembered approvals were not consulted: name the agents' approvals file with --approvals FILE.");
        }
    }

    /// <summary>The profile judged with.</summary>
    public AgentProfile Profile { get; }

    /// <summary>The approvals file consulted, or null.</summary>
    public string? ApprovalsFile { get; }

    /// <summary>The instant judged at (now, or --at).</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>True when legacy agents can be judged: the profile (or --expected-subject) names the subject they expect.</summary>
    public bool JudgesLegacy => Profile.Validator.ExpectedSubject is not null;

    /// <summary>Loads the profile and the approvals file.</summary>
    /// <exception cref="CliException">The profile, its trust store or CRLs, or the approvals file is not usable.</exception>
    public static Judge Create(JudgeSettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        return new Judge(settings, clock);
    }

    /// <summary>The library's report on the certificates (leaf first); without an identity, everything but the name is judged.</summary>
    public ValidationReport Validate(IReadOnlyList<ReadOnlyMemory<byte>> certificates, ServerIdentity? identity) =>
        identity is null ? Profile.Validator.ValidateWithoutIdentity(certificates) : Profile.Validator.Validate(certificates, identity);

    /// <summary>
    /// What agents of <paramref name="generation"/> under <paramref name="action"/> do with the certificate of
    /// <paramref name="report"/>: decided by the library's engine. Null when legacy agents cannot be judged (no
    /// expected subject).
    /// </summary>
    /// <param name="report">The profile validator's report.</param>
    /// <param name="generation">The agents' generation: the report's verdict for it decides.</param>
    /// <param name="action">The agents' InvalidCertificateAction.</param>
    /// <param name="headless">True for agents with no one to ask (services without a user session).</param>
    /// <param name="approvals">Their remembered approvals; null for the ones this judge consults.</param>
    public AgentOutcome? Decide(ValidationReport report, AgentGeneration generation, InvalidCertificateAction action, bool headless, ApprovalStore? approvals = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Legacy agents of a report-only profile decide as legacy agents do, and say what modern validation would do.
        ValidationMode mode = generation != AgentGeneration.Legacy ? ValidationMode.Modern
            : Profile.Validator.Mode == ValidationMode.ReportOnly ? ValidationMode.ReportOnly : ValidationMode.Legacy;
        if (mode != ValidationMode.Modern && report.Legacy is null)
        {
            return null;
        }

        // The same verdicts, with the generation's verdict deciding: what a profile in that mode would report.
        ValidationReport judged = report.Mode == mode
            ? report
            : new ValidationReport(mode, report.Identity, report.Modern, report.Legacy, report.Certificate, report.Path, report.ValidatedAt);
        ApprovalStore store = approvals ?? _approvals;
        var engine = new CertificateDecisionEngine(Profile.Validator, new CertificateDecisionEngineOptions
        {
            ProfileName = Profile.Name,
            InvalidCertificateAction = action,
            Approvals = store,
            PromptTimeout = Profile.PromptTimeout,
            ApprovalScope = Profile.ApprovalScope,
            ApprovalLifetime = Profile.ApprovalLifetime,
            Prompt = headless ? null : NeverAsked.Instance,
            TimeProvider = _clock,
        });
        CertificateDecision decision = engine.DecideWithoutPrompt(judged);
        return OutcomeText.Describe(generation, action, decision, FindApproval(store, judged));
    }

    /// <summary>The approvals file of one endpoint (plan), opened once per path; a file that cannot be read consults nothing and says why.</summary>
    public (ApprovalStore Store, string? Problem) ApprovalsFor(string path)
    {
        if (!_stores.TryGetValue(path, out (ApprovalStore Store, string? Problem) entry))
        {
            try
            {
                entry = (ApprovalsAccess.OpenForReading(path, _clock), null);
            }
            catch (CliException ex)
            {
                entry = (new InMemoryApprovalStore(), ex.Message);
            }

            _stores[path] = entry;
        }

        return entry;
    }

    /// <summary>Judges the certificates a server sends (leaf first): the report, and every generation under every action.</summary>
    public Judgement Run(IReadOnlyList<ReadOnlyMemory<byte>> certificates, ServerIdentity? identity)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ValidationReport report = Validate(certificates, identity);
        var outcomes = new List<AgentOutcome>();
        foreach (AgentGeneration generation in (AgentGeneration[])[AgentGeneration.Modern, AgentGeneration.Legacy])
        {
            foreach (InvalidCertificateAction action in Actions)
            {
                if (Decide(report, generation, action, headless: false) is { } outcome)
                {
                    outcomes.Add(outcome);
                }
            }
        }

        var notes = new List<string>(_notes);
        CertificateSummary? leaf = report.Certificate ?? (certificates.Count > 0 ? CertificateFacts.TryDescribe(certificates[0]) : null);
        if (report.Certificate is null && leaf is not null)
        {
            notes.Add("CertPolicy could not decode the server's certificate; its details are shown as .NET decodes it.");
        }

        if (identity is null)
        {
            notes.Add("No server name was given: everything but the name was judged, and Warn agents cannot remember an approval without one.");
        }

        List<string> warnings = ExpiryWarnings(report, leaf);
        warnings.AddRange(_messages.Messages);
        CertificateDetails? details = certificates.Count > 0 ? CertificateDetails.TryRead(certificates[0]) : null;
        return new Judgement(report, leaf, details, outcomes, Profile, ApprovalsFile, warnings, notes);
    }

    private static CertificateApproval? FindApproval(ApprovalStore approvals, ValidationReport report)
    {
        if (report.Identity is not { } server || report.Certificate is not { } certificate)
        {
            return null;
        }

        try
        {
            return approvals.Find(server, CertificateFingerprint.Parse(certificate.Sha256Fingerprint));
        }
        catch (ApprovalStoreException)
        {
            return null;
        }
    }

    /// <summary>A warning for each certificate of the path (or the leaf, when no path was found) that expires soon.</summary>
    private static List<string> ExpiryWarnings(ValidationReport report, CertificateSummary? leaf)
    {
        var warnings = new List<string>();
        IReadOnlyList<CertificateSummary> certificates = report.Path.Count > 0 ? report.Path : leaf is null ? [] : [leaf];
        for (int position = 0; position < certificates.Count; position++)
        {
            CertificateSummary certificate = certificates[position];
            TimeSpan left = certificate.NotAfter - report.ValidatedAt;
            if (left <= TimeSpan.Zero || left > ExpiryWarningWindow)
            {
                continue;
            }

            string which = position == 0 ? "The server's certificate" : $"Certificate {position} of the path ({certificate.Subject})";
            string when = left < TimeSpan.FromDays(1)
                ? "in less than a day"
                : left < TimeSpan.FromDays(2) ? "in 1 day" : $"in {(int)left.TotalDays} days";
            warnings.Add($"{which} expires {when}, on {CertificateFacts.FormatTime(certificate.NotAfter)}.");
        }

        return warnings;
    }

    /// <summary>
    /// Stands for the agent's user, so that Warn previews as "prompts" (NeedsUserAnswer) rather than as a headless
    /// agent's refusal. DecideWithoutPrompt never calls it.
    /// </summary>
    private sealed class NeverAsked : ICertificatePrompt
    {
        public static readonly NeverAsked Instance = new();

        public ValueTask<PromptAnswer> AskAsync(CertificatePromptRequest request, CancellationToken cancellationToken)
            => throw new InvalidOperationException("The tool previews decisions; it never asks.");
    }
}
