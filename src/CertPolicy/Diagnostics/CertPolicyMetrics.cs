using System.Diagnostics.Metrics;
using System.Reflection;

namespace CertPolicy;

/// <summary>
/// The library's instruments, on the meter named <see cref="MeterName"/>. Tags never carry host names,
/// fingerprints or subjects: only low-cardinality values.
/// </summary>
internal sealed class CertPolicyMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "CertPolicy";

    /// <summary>Counter of decisions, tagged with <see cref="OutcomeTag"/> and <see cref="ReasonTag"/>.</summary>
    public const string DecisionsInstrument = "certpolicy.decisions";

    public const string OutcomeTag = "certpolicy.outcome";

    public const string ReasonTag = "certpolicy.reason";

    private static readonly string? MeterVersion = typeof(CertPolicyMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    private static readonly Lazy<CertPolicyMetrics> SharedInstance = new(() => new CertPolicyMetrics(new Meter(MeterName, MeterVersion)));

    private static readonly string[] OutcomeNames = ["refuse", "connect"];

    private static readonly string[] ReasonNames =
    [
        "valid",
        "allowed_by_policy",
        "approved_by_user",
        "remembered_approval",
        "denied_by_policy",
        "denied_by_user",
        "no_prompt",
        "prompt_timed_out",
        "prompt_failed",
        "needs_user_answer",
        "not_approvable",
    ];

    private readonly Counter<long> _decisions;

    private CertPolicyMetrics(Meter meter)
    {
        _decisions = meter.CreateCounter<long>(DecisionsInstrument, "{decision}", "Certificate decisions made, by outcome and reason.");
    }

    /// <summary>Instruments on a process-wide meter, for use without dependency injection.</summary>
    public static CertPolicyMetrics Shared => SharedInstance.Value;

    /// <summary>Instruments on a meter from <paramref name="meterFactory"/>, or the shared ones when it is null.</summary>
    public static CertPolicyMetrics Create(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared : new CertPolicyMetrics(meterFactory.Create(new MeterOptions(MeterName) { Version = MeterVersion }));

    public static string OutcomeName(DecisionOutcome outcome) => OutcomeNames[(int)outcome];

    public static string ReasonName(DecisionReason reason) => ReasonNames[(int)reason];

    public void RecordDecision(DecisionOutcome outcome, DecisionReason reason)
    {
        if (_decisions.Enabled)
        {
            _decisions.Add(1, new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)), new KeyValuePair<string, object?>(ReasonTag, ReasonName(reason)));
        }
    }
}
