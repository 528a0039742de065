using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CertPolicy;

/// <summary>
/// The judge of one endpoint profile: takes the certificates a server presented and the identity the agent expected,
/// validates them with the profile's validator and decides whether to connect. A valid certificate connects
/// silently; an invalid one is allowed, denied, or (under <see cref="InvalidCertificateAction.Warn"/>) connects when
/// the user approved it now or before. Every decision is logged once and counted. Thread-safe; create one per
/// endpoint profile.
/// </summary>
/// <remarks>
/// A remembered approval applies only to the same server (expected name and port), the same certificate (SHA-256
/// of its DER, or under a wider <see cref="CertPolicy.ApprovalScope"/> the same key or issuer key), exactly the same
/// problem kinds, and within the profile's approval lifetime: any other change asks again, and the question says what
/// changed. See docs/decisions.md for the full table.
/// </remarks>
public sealed class CertificateDecisionEngine
{
    private readonly ICertificatePrompt? _prompt;
    private readonly ILogger _logger;
    private readonly CertPolicyMetrics _metrics;
    private readonly PromptFlights _flights;
    private readonly Distrust _distrust;
    private readonly PreApprovals _preApprovals;
    private readonly PendingQuestionStore? _pendingQuestions;

    /// <summary>Creates an engine.</summary>
    /// <param name="validator">The validator of this profile: every decision is taken on a report it produced.</param>
    /// <param name="options">The settings; copied. Default: warn, remember approvals in memory, no prompt (so invalid certificates are refused).</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public CertificateDecisionEngine(CertificateValidator validator, CertificateDecisionEngineOptions? options = null)
        : this(validator, options ?? new CertificateDecisionEngineOptions(), new PromptFlights(), metrics: null)
    {
    }

    internal CertificateDecisionEngine(CertificateValidator validator, CertificateDecisionEngineOptions options, PromptFlights flights, CertPolicyMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Validator = validator;
        ProfileName = options.ProfileName;
        InvalidCertificateAction = options.InvalidCertificateAction;
        Approvals = options.Approvals ?? new InMemoryApprovalStore();
        PromptTimeout = options.PromptTimeout;
        MinimumTlsVersion = options.MinimumTlsVersion;
        ApprovalScope = options.ApprovalScope;
        ApprovalLifetime = options.ApprovalLifetime;
        TimeProvider = options.TimeProvider ?? validator.TimeProvider;
        _prompt = options.Prompt;
        _pendingQuestions = options.Prompt is PendingQuestionPrompt ? null : options.PendingQuestions;
        _logger = (ILogger?)options.LoggerFactory?.CreateLogger<CertificateDecisionEngine>() ?? NullLogger.Instance;
        _metrics = metrics ?? CertPolicyMetrics.Create(options.MeterFactory);
        _flights = flights;
        _distrust = options.ReadDistrust();
        _preApprovals = options.ReadPreApprovals();
    }

    /// <summary>The endpoint profile this engine decides for.</summary>
    public string ProfileName { get; }

    /// <summary>The profile's validator, which produces the reports this engine decides on.</summary>
    internal CertificateValidator Validator { get; }

    /// <summary>What the profile does with a certificate that is not valid.</summary>
    public InvalidCertificateAction InvalidCertificateAction { get; }

    /// <summary>Where the user's approvals are remembered.</summary>
    internal ApprovalStore Approvals { get; }

    /// <summary>True when there is a prompt to ask the user.</summary>
    public bool CanPrompt => _prompt is not null;

    /// <summary>How long the user has to answer.</summary>
    public TimeSpan PromptTimeout { get; }

    /// <summary>The oldest TLS version the profile's handshakes may use (applied by <see cref="HandshakePolicy"/>).</summary>
    public TlsVersionFloor MinimumTlsVersion { get; }

    /// <summary>Where this engine's decisions are logged (also the handshake's refusals for the profile).</summary>
    internal ILogger Logger => _logger;

    /// <summary>The clock of prompt timeouts and approval times.</summary>
    internal TimeProvider TimeProvider { get; }

    /// <summary>What new approvals cover besides the exact certificate.</summary>
    public ApprovalScope ApprovalScope { get; }

    /// <summary>How long a remembered approval applies; null for ever.</summary>
    public TimeSpan? ApprovalLifetime { get; }

    /// <summary>
    /// Validates the certificates a server presented and decides, asking the user when the profile says to warn and no
    /// remembered approval applies. Concurrent calls for the same server, certificate and problems share one question.
    /// </summary>
    /// <param name="presentedCertificates">The DER of each certificate the server sent, leaf first. May be empty (refused: no certificate).</param>
    /// <param name="identity">The server the agent meant to reach.</param>
    /// <param name="cancellationToken">
    /// Stops this call waiting. The question stays open for other connections waiting for the same answer; it is
    /// withdrawn when none is left.
    /// </param>
    /// <returns>The decision, with the validation report it was taken on. Completes synchronously unless the user has to be asked.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<CertificateDecision> DecideAsync(IReadOnlyList<ReadOnlyMemory<byte>> presentedCertificates, ServerIdentity identity, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(presentedCertificates);
        ArgumentNullException.ThrowIfNull(identity);
        cancellationToken.ThrowIfCancellationRequested();
        long started = Stopwatch.GetTimestamp();
        return DecideAsync(Validator.Validate(presentedCertificates, identity), started, cancellationToken);
    }

    /// <summary>
    /// Validates and decides without ever asking, for code that cannot wait (such as a synchronous certificate
    /// callback): like <see cref="DecideAsync(IReadOnlyList{ReadOnlyMemory{byte}}, ServerIdentity, CancellationToken)"/>,
    /// except that where the user would have to be asked it refuses with <see cref="DecisionReason.NeedsUserAnswer"/>,
    /// so that the caller can ask with <c>DecideAsync</c>.
    /// </summary>
    /// <param name="presentedCertificates">The DER of each certificate the server sent, leaf first. May be empty (refused: no certificate).</param>
    /// <param name="identity">The server the agent meant to reach.</param>
    /// <returns>The decision, with the validation report it was taken on.</returns>
    public CertificateDecision DecideWithoutPrompt(IReadOnlyList<ReadOnlyMemory<byte>> presentedCertificates, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(presentedCertificates);
        ArgumentNullException.ThrowIfNull(identity);
        long started = Stopwatch.GetTimestamp();
        ValidationReport report = Validator.Validate(presentedCertificates, identity);
        if (DecideWithoutAsking(report, started, out _) is not { } decision)
        {
            return Decide(report, DecisionOutcome.Refuse, DecisionReason.NeedsUserAnswer, started);
        }

        // A synchronous caller cannot wait for the file: the question is recorded in the background.
        _ = RecordIfUnansweredAsync(decision).AsTask();
        return decision;
    }

    /// <summary>Decides on a report, asking when needed (for the tests of the rules on hand-made reports).</summary>
    internal ValueTask<CertificateDecision> DecideAsync(ValidationReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        cancellationToken.ThrowIfCancellationRequested();
        return DecideAsync(report, Stopwatch.GetTimestamp(), cancellationToken);
    }

    /// <summary>Decides on a report without asking (for the tests of the rules on hand-made reports).</summary>
    internal CertificateDecision DecideWithoutPrompt(ValidationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        long started = Stopwatch.GetTimestamp();
        return DecideWithoutAsking(report, started, out _) ?? Decide(report, DecisionOutcome.Refuse, DecisionReason.NeedsUserAnswer, started);
    }

    /// <summary>
    /// True while <paramref name="decision"/>, taken by this engine, would be taken again: the validator's verdict
    /// still holds (same trust anchors, the clock inside its interval) and, when the decision rests on a remembered
    /// approval, the approvals have not changed (after asking the store to notice changes made elsewhere).
    /// </summary>
    internal bool StillHolds(CertificateDecision decision) =>
        Validator.StillHolds(decision.Report)
        && (decision.ApprovalExpiresAt is not { } expires || TimeProvider.GetUtcNow() < expires)
        && (decision.ApprovalsVersion is not { } version || version == Approvals.RefreshVersion());

    /// <summary>Logs and counts an answer the handshake cache gave from one of this engine's decisions.</summary>
    internal void ObserveCachedAnswer(CertificateDecision decision, long startedTimestamp) => Observe(decision, startedTimestamp, cached: true, error: null);

    private ValueTask<CertificateDecision> DecideAsync(ValidationReport report, long started, CancellationToken cancellationToken) =>
        DecideWithoutAsking(report, started, out ApprovalChange? change) is { } decision
            ? RecordIfUnansweredAsync(decision)
            : AskAsync(report, change, started, cancellationToken);

    /// <summary>
    /// THE hook of pending questions (issue 17): a refusal because no one could answer (no prompt, or the prompt
    /// timed out) is recorded in the profile's <see cref="PendingQuestionStore"/>, so that an administrator can
    /// answer it out of band. The decision itself is unchanged; a failure to record is logged, never thrown.
    /// </summary>
    private async ValueTask<CertificateDecision> RecordIfUnansweredAsync(CertificateDecision decision)
    {
        if (_pendingQuestions is null
            || decision.Reason is not (DecisionReason.NoPrompt or DecisionReason.PromptTimedOut)
            || decision.Report.Identity is not { } server
            || decision.Report.Certificate is not { } certificate)
        {
            return decision;
        }

        try
        {
            PendingQuestion question = await _pendingQuestions.RecordAsync(
                new CertificatePromptRequest(ProfileName, server, certificate, decision.Report.Verdict, Validator.TrustStore, answerTimeout: null)
                {
                    IssuerPublicKey = ApprovalMatching.IssuerKeyOf(decision.Report)?.Encoded.ToArray(),
                },
                CancellationToken.None).ConfigureAwait(false);
            Log.PendingQuestionRecorded(_logger, ProfileName, server, certificate.Subject, question.Fingerprint.ToString(), question.Problems, _pendingQuestions.FilePath, question.Attempts);
        }
#pragma warning disable CA1031 // Recording is a courtesy to the administrator: the refusal stands whatever happens here.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.PendingQuestionNotRecorded(_logger, ex, ProfileName, server, certificate.Sha256Fingerprint);
        }

        return decision;
    }

    /// <summary>
    /// Every decision that needs no question; null when the user has to be asked, with <paramref name="change"/> set
    /// when the server has approvals and none covers its certificate.
    /// </summary>
    private CertificateDecision? DecideWithoutAsking(ValidationReport report, long started, out ApprovalChange? change)
    {
        if (Rule(report, report.Verdict, preview: false, out _, out change) is { } ruling)
        {
            return Decide(report, ruling.Outcome, ruling.Reason, started, note: ruling.Note, approvalsVersion: ruling.ApprovalsVersion, approvalExpiresAt: ruling.ApprovalExpiresAt);
        }

        return _prompt is null ? Decide(report, DecisionOutcome.Refuse, DecisionReason.NoPrompt, started) : null;
    }

    /// <summary>
    /// The decision table without its questions, for <paramref name="verdict"/> (the deciding one, or the modern one
    /// of a report-only preview): the ruling, or null when someone would have to be asked. Reads the approvals but
    /// never writes them; <paramref name="approvalsVersion"/> is the approvals' version when they were consulted, and
    /// <paramref name="change"/> (outside a preview) what changed since the most relevant approval when the server has
    /// approvals and none covers the certificate.
    /// </summary>
    private Ruling? Rule(ValidationReport report, ValidationVerdict verdict, bool preview, out long? approvalsVersion, out ApprovalChange? change)
    {
        approvalsVersion = null;
        change = null;

        // The administrator's word comes before everything else, in this order (Decisions/Distrust.cs,
        // Decisions/PreApprovals.cs): a distrusted certificate is refused whatever the action, validity, remembered
        // approvals or pins say; then a pre-approved one connects without asking. Rules added later that must not
        // override the administrator go after this point.
        if (_distrust.Why(report) is { } distrusted)
        {
            return new(DecisionOutcome.Refuse, DecisionReason.Distrusted, distrusted);
        }

        if (!verdict.IsValid && _preApprovals.Match(report) is { } pin)
        {
            return new(DecisionOutcome.Connect, DecisionReason.PreApproved, $"Pre-approved as '{pin}'.");
        }

        if (verdict.IsValid)
        {
            return new(DecisionOutcome.Connect, DecisionReason.Valid);
        }

        switch (InvalidCertificateAction)
        {
            case InvalidCertificateAction.Allow:
                return new(DecisionOutcome.Connect, DecisionReason.AllowedByPolicy);
            case InvalidCertificateAction.Warn:
                break;
            default:
                return new(DecisionOutcome.Refuse, DecisionReason.DeniedByPolicy);
        }

        if (report.Identity is not { } server
            || report.Certificate is not { } certificate
            || !CertificateFingerprint.TryParse(certificate.Sha256Fingerprint, out CertificateFingerprint sha256))
        {
            return new(DecisionOutcome.Refuse, DecisionReason.NotApprovable);
        }

        CertificateProblemKinds problems = verdict.Kinds;

        // Read before looking: a change that lands while the decision is taken makes it stale at once.
        long version = Approvals.Version;
        approvalsVersion = version;
        IReadOnlyList<CertificateApproval> candidates = FindApprovals(server, sha256);
        DateTimeOffset now = TimeProvider.GetUtcNow();
        CertificateApproval? covering = null;
        for (int i = 0; i < candidates.Count; i++)
        {
            // Indexed, not foreach: no enumerator is allocated on this path.
            CertificateApproval candidate = candidates[i];
            if (candidate.Covers(problems)
                && !IsExpired(candidate, now)
                && ApprovalMatching.CoversCertificate(candidate, certificate, sha256, ApprovalScope)
                && (covering is null || candidate.ApprovedAt > covering.ApprovedAt))
            {
                covering = candidate;
            }
        }

        if (covering is not null)
        {
            return new(
                DecisionOutcome.Connect,
                DecisionReason.RememberedApproval,
                ApprovalsVersion: version,
                ApprovalExpiresAt: ApprovalLifetime is { } lifetime ? covering.ApprovedAt + lifetime : null);
        }

        // Only a real question says what changed: a report-only preview asks nobody, so it neither describes nor logs.
        if (candidates.Count > 0 && !preview)
        {
            change = ApprovalMatching.Describe(candidates, certificate, sha256, problems, ApprovalScope, a => IsExpired(a, now));
            Log.ApprovalNoLongerCovers(_logger, ProfileName, server, certificate.Sha256Fingerprint, change.Previous.Fingerprint, change.Previous.ApprovedAt, change.Changes);
        }

        return null;
    }

    /// <summary>True when <paramref name="approval"/> is older than the profile's approval lifetime.</summary>
    private bool IsExpired(CertificateApproval approval, DateTimeOffset now) =>
        ApprovalLifetime is { } lifetime && now >= approval.ApprovedAt + lifetime;

    /// <summary>
    /// THE rule of report-only mode (<see cref="ValidationMode.ReportOnly"/>): the decision the same table would take on
    /// the modern verdict, where someone would be asked shown as <see cref="MigrationOutcome.Prompt"/>. Nobody is asked,
    /// and nothing (approval or pending question) is written for it.
    /// </summary>
    private MigrationPreview Preview(ValidationReport report, out long? approvalsVersion) =>
        Rule(report, report.Modern, preview: true, out approvalsVersion, out _) is { } ruling
            ? new MigrationPreview(ruling.Outcome == DecisionOutcome.Connect ? MigrationOutcome.Connect : MigrationOutcome.Refuse, ruling.Reason, report, ruling.Note)
            : new MigrationPreview(MigrationOutcome.Prompt, DecisionReason.NeedsUserAnswer, report, null);

    private IReadOnlyList<CertificateApproval> FindApprovals(ServerIdentity server, CertificateFingerprint sha256)
    {
        try
        {
            return Approvals.FindForServer(server);
        }
#pragma warning disable CA1031 // Fail closed: whatever goes wrong in a store, nothing counts as approved.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ApprovalLookupFailed(_logger, ex, ProfileName, server, sha256.ToString());
            return [];
        }
    }

    private async ValueTask<CertificateDecision> AskAsync(ValidationReport report, ApprovalChange? change, long started, CancellationToken cancellationToken)
    {
        ServerIdentity server = report.Identity!;
        CertificateSummary certificate = report.Certificate!;
        string sha256 = CertificateFingerprint.Parse(certificate.Sha256Fingerprint).ToString();
        var key = new PromptKey(server.Host, server.Port, sha256, report.Verdict.Kinds);
        PromptFlight flight = _flights.Join(key, PromptTimeout, TimeProvider, out bool opened);
        if (opened)
        {
            Log.PromptStarted(_logger, ProfileName, server, key.Problems, certificate.Subject, sha256);
            NewApproval facts = NewApprovalFacts(report);
            var request = new CertificatePromptRequest(ProfileName, server, certificate, report.Verdict, Validator.TrustStore, PromptTimeout)
            {
                PreviousApproval = change?.Previous,
                Changes = change?.Changes ?? ApprovalChanges.None,
                IssuerPublicKey = facts.Facts.IssuerPublicKey,
            };
            _ = Task.Run(() => RunFlightAsync(flight, request, sha256, facts), CancellationToken.None);
        }
        else
        {
            Log.PromptJoined(_logger, ProfileName, server, sha256);
        }

        PromptResult result;
        try
        {
            result = await flight.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (_flights.Leave(flight, gaveUp: true))
            {
                Log.PromptAbandoned(_logger, ProfileName, server, sha256);
            }

            throw;
        }

        _flights.Leave(flight, gaveUp: false);
        CertificateDecision decision = result.Status switch
        {
            PromptStatus.Approved => Decide(
                report,
                DecisionOutcome.Connect,
                DecisionReason.ApprovedByUser,
                started,
                note: result.Remembered ? result.Note : "The approval could not be remembered, so the next connection will ask again."),
            PromptStatus.Denied => Decide(report, DecisionOutcome.Refuse, DecisionReason.DeniedByUser, started),
            PromptStatus.TimedOut => Decide(report, DecisionOutcome.Refuse, DecisionReason.PromptTimedOut, started),
            _ => Decide(report, DecisionOutcome.Refuse, DecisionReason.PromptFailed, started, result.Error),
        };
        return await RecordIfUnansweredAsync(decision).ConfigureAwait(false);
    }

    /// <summary>Asks the user once for every waiting connection, and remembers a "yes". Never throws.</summary>
    private async Task RunFlightAsync(PromptFlight flight, CertificatePromptRequest request, string sha256, NewApproval facts)
    {
        var result = new PromptResult(PromptStatus.Failed);
        try
        {
            PromptAnswer answer = await _prompt!.AskAsync(request, flight.Token).AsTask().WaitAsync(flight.Token).ConfigureAwait(false);
            result = answer switch
            {
                PromptAnswer.Allow => new PromptResult(PromptStatus.Approved, Remembered: await RememberAsync(request, sha256, facts.Facts).ConfigureAwait(false), Note: facts.Note),
                PromptAnswer.Deny => new PromptResult(PromptStatus.Denied),
                _ => new PromptResult(PromptStatus.Failed, new InvalidOperationException($"The prompt answered {answer}, which is neither Allow nor Deny.")),
            };
        }
        catch (OperationCanceledException) when (flight.Token.IsCancellationRequested)
        {
            result = new PromptResult(flight.Withdrawn ? PromptStatus.Withdrawn : PromptStatus.TimedOut);
        }
#pragma warning disable CA1031 // Fail closed: a prompt that fails refuses the connection, it does not crash the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            result = new PromptResult(PromptStatus.Failed, ex);
        }
        finally
        {
            // Forget the question before answering, so that a later connection after a "no" asks again.
            _flights.Finish(flight);
            flight.Complete(result);
        }
    }

    /// <summary>
    /// What an approval of the report's certificate records under the profile's scope: who approves, the certificate's
    /// key, the key that signed it (when it can be established) and, for the issuer scope, its subject. An issuer-scope
    /// approval whose issuer key cannot be established is recorded for the exact certificate, and logged.
    /// </summary>
    private NewApproval NewApprovalFacts(ValidationReport report)
    {
        string? approvedBy = ApprovalText.CurrentAccount();
        if (ApprovalMatching.FactsFor(report, ApprovalScope, approvedBy, out string? missing) is { } facts)
        {
            return new NewApproval(facts, null);
        }

        Log.ApprovalScopeNarrowed(_logger, ProfileName, report.Identity!, report.Certificate!.Sha256Fingerprint, ApprovalScope);
        return new NewApproval(
            ApprovalMatching.FactsFor(report, ApprovalScope.Certificate, approvedBy, out _)!,
            $"The approval is remembered for this certificate only: the profile's approval scope is {ApprovalScope}, but {missing} could not be established.");
    }

    private async ValueTask<bool> RememberAsync(CertificatePromptRequest request, string sha256, ApprovalFacts facts)
    {
        var approval = new CertificateApproval(
            request.Server, CertificateFingerprint.Parse(sha256), request.ProblemKinds, TimeProvider.GetUtcNow(), request.Certificate.Subject, [], facts);
        try
        {
            await Approvals.SaveAsync(approval, CancellationToken.None).ConfigureAwait(false);
            Log.ApprovalRemembered(_logger, ProfileName, request.Server, request.ProblemKinds, request.Certificate.Subject, sha256, approval.Scope, approval.ApprovedBy ?? "(unknown)");
            return true;
        }
#pragma warning disable CA1031 // The user's answer stands for this connection even when it cannot be remembered.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ApprovalNotRemembered(_logger, ex, ProfileName, request.Server, sha256);
            return false;
        }
    }

    private CertificateDecision Decide(ValidationReport report, DecisionOutcome outcome, DecisionReason reason, long started, Exception? error = null, string? note = null, long? approvalsVersion = null, DateTimeOffset? approvalExpiresAt = null)
    {
        MigrationPreview? preview = null;
        if (report.Mode == ValidationMode.ReportOnly)
        {
            // A preview that consulted the approvals goes stale with them: the decision carries the version, so that
            // the handshake cache stops answering with it when they change.
            preview = Preview(report, out long? previewVersion);
            approvalsVersion ??= previewVersion;
        }

        var decision = new CertificateDecision(outcome, reason, report, note, approvalsVersion, preview) { ApprovalExpiresAt = approvalExpiresAt };
        Observe(decision, started, cached: false, error);
        return decision;
    }

    /// <summary>
    /// Every decision, taken or answered from the cache, is counted, timed and logged here, once, and so is its
    /// report-only preview: a cached answer is a connection too, so its would-be outcome is counted again.
    /// </summary>
    private void Observe(CertificateDecision decision, long started, bool cached, Exception? error)
    {
        _metrics.RecordDecision(decision.Outcome, decision.Reason, started, cached);
        DecisionEvents.Write(_logger, ProfileName, decision, cached, error);
        if (decision.MigrationPreview is { } preview)
        {
            _metrics.RecordMigrationPreview(ProfileName, preview);
            MigrationEvents.Write(_logger, ProfileName, decision, preview, cached);
        }
        else if (!cached && decision.Report.Modern.NoticeKinds != CertificateProblemKinds.None && decision.Report.Identity is { } server)
        {
            Log.NameOnlyInCommonNameAccepted(_logger, ProfileName, server, decision.Report.Certificate?.Subject ?? "(none)", decision.Report.Certificate?.Sha256Fingerprint ?? "(none)");
        }
    }

    /// <summary>A decision of the table without its questions.</summary>
    private readonly record struct Ruling(DecisionOutcome Outcome, DecisionReason Reason, string? Note = null, long? ApprovalsVersion = null, DateTimeOffset? ApprovalExpiresAt = null);
}

/// <summary>What a "yes" to a question will record, and a remark for the decision when the scope had to be narrowed.</summary>
internal sealed record NewApproval(ApprovalFacts Facts, string? Note);
