using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;

namespace CertPolicy;

/// <summary>
/// The library's instruments, on the meter named <see cref="MeterName"/>. Tags never carry host names,
/// fingerprints or subjects: only low-cardinality values, derived from the names of the enumerations (so that
/// reordering them can never mislabel a measurement), and the endpoint profile's configured name.
/// </summary>
internal sealed class CertPolicyMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CertPolicy";

    /// <summary>Counter of decisions, tagged with <see cref="OutcomeTag"/> and <see cref="ReasonTag"/>.</summary>
    public const string DecisionsInstrument = "certpolicy.decisions";

    /// <summary>Histogram of how long decisions took, in seconds, tagged with <see cref="OutcomeTag"/>, <see cref="ReasonTag"/> and <see cref="PathTag"/>.</summary>
    public const string DurationInstrument = "certpolicy.decision.duration";

    /// <summary>
    /// Counter of report-only previews (<see cref="ValidationMode.ReportOnly"/>), one per decision, cached answers
    /// included, tagged with <see cref="ProfileTag"/>, <see cref="WouldTag"/>, <see cref="ReasonTag"/> (the would-be
    /// reason) and <see cref="ProblemsTag"/>.
    /// </summary>
    public const string MigrationInstrument = "certpolicy.migration.would_decide";

    public const string OutcomeTag = "certpolicy.outcome";

    /// <summary>The endpoint profile's name (configured, so of low cardinality).</summary>
    public const string ProfileTag = "certpolicy.profile";

    /// <summary>"connect", "prompt" or "refuse": what modern validation would do.</summary>
    public const string WouldTag = "certpolicy.would";

    /// <summary>The modern verdict's problem kinds and accepted notices, in snake case, joined by ',' in flag order; "none" when there are none.</summary>
    public const string ProblemsTag = "certpolicy.problems";

    /// <summary>How many distinct problem sets <see cref="ProblemsTag"/> keeps as text; beyond it, the text is built for each measurement.</summary>
    private const int MaxCachedProblemSets = 256;

    public const string ReasonTag = "certpolicy.reason";

    /// <summary>"fast" when the handshake cache answered, "full" when the engine validated and decided.</summary>
    public const string PathTag = "certpolicy.path";

    private static readonly string? MeterVersion = typeof(CertPolicyMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private static readonly Lazy<CertPolicyMetrics> SharedInstance = new(() => new CertPolicyMetrics(new Meter(MeterName, MeterVersion)));

    private static readonly FrozenDictionary<DecisionOutcome, string> OutcomeNames = TagValues<DecisionOutcome>();

    private static readonly FrozenDictionary<DecisionReason, string> ReasonNames = TagValues<DecisionReason>();

    private static readonly FrozenDictionary<MigrationOutcome, string> MigrationOutcomeNames = TagValues<MigrationOutcome>();

    private static readonly FrozenDictionary<CertificateProblemKinds, string> KindNames = TagValues<CertificateProblemKinds>();

    private static readonly ConcurrentDictionary<CertificateProblemKinds, string> ProblemSets = new();

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _migration;
    private readonly Histogram<double> _duration;

    private CertPolicyMetrics(Meter meter)
    {
        _decisions = meter.CreateCounter<long>(DecisionsInstrument, "{decision}", "Certificate decisions made, by outcome and reason.");
        _duration = meter.CreateHistogram(
            DurationInstrument,
            "s",
            "How long certificate decisions took, from the handshake's callback (or the engine's call) to the decision; prompts included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_001, 0.000_005, 0.000_025, 0.000_1, 0.000_5, 0.002_5, 0.01, 0.05, 0.25, 1, 5, 30, 120] });
        _migration = meter.CreateCounter<long>(
            MigrationInstrument,
            "{decision}",
            "Report-only decisions, by what modern validation would do (connect, prompt or refuse), its reason and the modern problems.");
    }

    /// <summary>Instruments on a process-wide meter, for use without dependency injection.</summary>
    public static CertPolicyMetrics Shared => SharedInstance.Value;

    /// <summary>Instruments on a meter from <paramref name="meterFactory"/>, or the shared ones when it is null.</summary>
    public static CertPolicyMetrics Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared : new CertPolicyMetrics(meterFactory.Create(new MeterOptions(MeterName) { Version = MeterVersion }));

    public static string OutcomeName(DecisionOutcome outcome) => OutcomeNames[outcome];

    public static string ReasonName(DecisionReason reason) => ReasonNames[reason];

    public static string MigrationOutcomeName(MigrationOutcome outcome) => MigrationOutcomeNames[outcome];

    /// <summary>The value of <see cref="ProblemsTag"/>: each kind's snake-case name in flag order, joined by ','; "none" for none.</summary>
    public static string ProblemsName(CertificateProblemKinds kinds)
    {
        if (ProblemSets.TryGetValue(kinds, out string? cached))
        {
            return cached;
        }

        var names = new List<string>();
        for (int bit = 0; bit < 32; bit++)
        {
            var kind = (CertificateProblemKinds)(1 << bit);
            if ((kinds & kind) != 0)
            {
                names.Add(KindNames.TryGetValue(kind, out string? name) ? name : $"kind_{bit}");
            }
        }

        string text = names.Count == 0 ? KindNames[CertificateProblemKinds.None] : string.Join(',', names);
        if (ProblemSets.Count < MaxCachedProblemSets)
        {
            ProblemSets.TryAdd(kinds, text);
        }

        return text;
    }

    /// <summary>Counts one report-only preview of <paramref name="profile"/>.</summary>
    public void RecordMigrationPreview(string profile, MigrationPreview preview)
    {
        if (_migration.Enabled)
        {
            _migration.Add(
                1,
                new KeyValuePair<string, object?>(ProfileTag, profile),
                new KeyValuePair<string, object?>(WouldTag, MigrationOutcomeName(preview.Outcome)),
                new KeyValuePair<string, object?>(ReasonTag, ReasonName(preview.Reason)),
                new KeyValuePair<string, object?>(ProblemsTag, ProblemsName(preview.Verdict.Kinds | preview.Verdict.NoticeKinds)));
        }
    }

    /// <summary>Counts a decision and records how long it took since <paramref name="startedTimestamp"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void RecordDecision(DecisionOutcome outcome, DecisionReason reason, long startedTimestamp, bool cached)
    {
        if (_decisions.Enabled)
        {
            _decisions.Add(1, new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)), new KeyValuePair<string, object?>(ReasonTag, ReasonName(reason)));
        }

        if (_duration.Enabled)
        {
            _duration.Record(
                Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
                new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)),
                new KeyValuePair<string, object?>(ReasonTag, ReasonName(reason)),
                new KeyValuePair<string, object?>(PathTag, cached ? "fast" : "full"));
        }
    }

    /// <summary>Each value's name in snake case ("DeniedByPolicy" is "denied_by_policy").</summary>
    private static FrozenDictionary<T, string> TagValues<T>()
        where T : struct, Enum
    {
        var names = new Dictionary<T, string>();
        foreach (T value in Enum.GetValues<T>())
        {
            string name = value.ToString();
            var snake = new StringBuilder(name.Length + 4);
            for (int i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0)
                {
                    snake.Append('_');
                }

                snake.Append(char.ToLowerInvariant(name[i]));
            }

            names[value] = snake.ToString();
        }

        return names.ToFrozenDictionary();
    }
}
