using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CertPolicy.Cli.Judging;

namespace CertPolicy.Cli.Output;

/// <summary>
/// The <c>--json</c> output of check and inspect: one JSON object. Stable field names in camelCase; fingerprints are
/// 64 upper-case hexadecimal digits; times are ISO 8601 in UTC.
/// </summary>
internal static class JsonReport
{
    /// <summary>
    /// The serializer context. The output is for scripts and terminals, never embedded in HTML, so characters such
    /// as ' and &lt; are written as they are; control characters are still escaped.
    /// </summary>
    public static CliJsonContext Context { get; } = new(new JsonSerializerOptions(CliJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static void Write(TextWriter output, JudgedSource source, Judgement judgement, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(JsonSerializer.Serialize(Build(source, judgement, exitCode), Context.JudgementJson));
        output.Flush();
    }

    public static JudgementJson Build(JudgedSource source, Judgement judgement, int exitCode)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(judgement);
        ValidationReport report = judgement.Report;
        return new JudgementJson
        {
            Command = source.Command,
            Target = source.Target,
            RemoteAddress = source.RemoteAddress,
            Tls = source.TlsProtocol,
            CipherSuite = source.CipherSuite,
            SavedChain = source.SavedChain,
            OrderNote = source.OrderNote,
            Identity = report.Identity?.ToString(),
            Mode = ModeName(report.Mode),
            Profile = Profile(judgement.Profile, judgement.Profile.FromFile),
            ValidatedAt = report.ValidatedAt.ToUniversalTime(),
            TrustStore = judgement.TrustDescription,
            Valid = judgement.IsValid,
            ExitCode = exitCode,
            Modern = new VerdictJson { Valid = report.Modern.IsValid, Problems = Problems(report.Modern) },
            Legacy = new LegacyVerdictJson
            {
                ExpectedSubject = judgement.ExpectedSubject,
                Valid = report.Legacy?.IsValid,
                Problems = report.Legacy is { } legacy ? Problems(legacy) : null,
            },
            Certificate = judgement.Leaf is { } leaf ? Certificate(leaf, judgement.Details, report.ValidatedAt) : null,
            Path = [.. report.Path.Select((c, i) => new PathEntryJson
            {
                Position = i,
                Subject = c.Subject,
                Issuer = c.Issuer,
                NotBefore = c.NotBefore.ToUniversalTime(),
                NotAfter = c.NotAfter.ToUniversalTime(),
                Sha256 = Certificates.CertificateFacts.FormatFingerprint(c.Sha256Fingerprint),
            })],
            Agents = new AgentsJson
            {
                Modern = Generation(judgement, AgentGeneration.Modern)!,
                Legacy = Generation(judgement, AgentGeneration.Legacy),
            },
            Actions = Generation(judgement, AgentGeneration.Modern)!,
            Approvals = new ApprovalsUsedJson { Consulted = judgement.ApprovalsFile is not null, File = judgement.ApprovalsFile },
            Warnings = [.. judgement.Warnings],
            Notes = [.. judgement.Notes],
        };
    }

    /// <summary>The profile judged with; its action only when it is the agents' own (<paramref name="withAction"/>).</summary>
    public static ProfileJson Profile(AgentProfile profile, bool withAction)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return new ProfileJson
        {
            Name = profile.Name,
            File = profile.File,
            Mode = ModeName(profile.Validator.Mode),
            InvalidCertificateAction = withAction ? profile.Action.ToString() : null,
            ExpectedSubject = profile.Validator.ExpectedSubject,
            ClockSkew = profile.Validator.ClockSkew.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private static string ModeName(ValidationMode mode) => mode switch
    {
        ValidationMode.Legacy => "legacy",
        ValidationMode.ReportOnly => "report-only",
        _ => "modern",
    };

    private static List<ProblemJson> Problems(ValidationVerdict verdict) =>
        [.. verdict.Problems.Select(p => new ProblemJson { Kind = p.Kind.ToString(), Position = p.ChainPosition, Subject = p.Subject, Message = p.Message })];

    private static CertificateJson Certificate(CertificateSummary leaf, Certificates.CertificateDetails? details, DateTimeOffset now) => new()
    {
        Subject = leaf.Subject,
        Issuer = leaf.Issuer,
        SerialNumber = leaf.SerialNumber,
        NotBefore = leaf.NotBefore.ToUniversalTime(),
        NotAfter = leaf.NotAfter.ToUniversalTime(),
        DaysUntilExpiry = (int)Math.Floor((leaf.NotAfter - now).TotalDays),
        Sha256 = Certificates.CertificateFacts.FormatFingerprint(leaf.Sha256Fingerprint),
        DnsNames = [.. leaf.DnsNames],
        IpAddresses = [.. leaf.IPAddresses],
        Key = details?.Key,
        SignatureAlgorithm = details?.SignatureAlgorithm,
        KeyUsage = details is null ? null : [.. details.KeyUsage],
        ExtendedKeyUsage = details is null ? null : [.. details.ExtendedKeyUsage],
        BasicConstraints = details?.BasicConstraints,
        SubjectAlternativeNames = details is null ? null : [.. details.SubjectAlternativeNames],
        Ocsp = details is null ? null : [.. details.OcspUrls],
        CaIssuers = details is null ? null : [.. details.CaIssuerUrls],
        CrlDistributionPoints = details is null ? null : [.. details.CrlDistributionPoints],
    };

    /// <summary>What agents of one generation do under Allow, Warn and Deny; null when the generation was not judged.</summary>
    private static ActionsJson? Generation(Judgement judgement, AgentGeneration generation) =>
        judgement.Outcomes.Any(o => o.Generation == generation)
            ? new ActionsJson
            {
                Allow = Agent(judgement.Find(generation, InvalidCertificateAction.Allow)),
                Warn = Agent(judgement.Find(generation, InvalidCertificateAction.Warn)),
                Deny = Agent(judgement.Find(generation, InvalidCertificateAction.Deny)),
            }
            : null;

    public static ActionJson? Agent(AgentOutcome? outcome) => outcome is null
        ? null
        : new ActionJson
        {
            Outcome = outcome.Outcome,
            Reason = outcome.Reason.ToString(),
            Description = outcome.Description,
            ApprovedAt = outcome.ApprovedAt?.ToUniversalTime(),
        };
}

internal sealed class JudgementJson
{
    public required string Command { get; init; }

    public required string Target { get; init; }

    public string? RemoteAddress { get; init; }

    public string? Tls { get; init; }

    public string? CipherSuite { get; init; }

    public string? SavedChain { get; init; }

    public string? OrderNote { get; init; }

    public string? Identity { get; init; }

    /// <summary>Which verdict decides <see cref="Valid"/>: the profile's mode.</summary>
    public required string Mode { get; init; }

    public required ProfileJson Profile { get; init; }

    public required DateTimeOffset ValidatedAt { get; init; }

    public required string TrustStore { get; init; }

    public required bool Valid { get; init; }

    public required int ExitCode { get; init; }

    public required VerdictJson Modern { get; init; }

    public required LegacyVerdictJson Legacy { get; init; }

    public CertificateJson? Certificate { get; init; }

    public required List<PathEntryJson> Path { get; init; }

    /// <summary>Every agent generation under every action: modern, and legacy (null when not judged).</summary>
    public required AgentsJson Agents { get; init; }

    /// <summary>The same as agents.modern (kept for scripts written before agents existed).</summary>
    public required ActionsJson Actions { get; init; }

    public required ApprovalsUsedJson Approvals { get; init; }

    public required List<string> Warnings { get; init; }

    public required List<string> Notes { get; init; }
}

internal sealed class VerdictJson
{
    public required bool Valid { get; init; }

    public required List<ProblemJson> Problems { get; init; }
}

internal sealed class LegacyVerdictJson
{
    public string? ExpectedSubject { get; init; }

    /// <summary>Null when no expected subject was given (the legacy verdict was not computed).</summary>
    public bool? Valid { get; init; }

    public List<ProblemJson>? Problems { get; init; }
}

internal sealed class ProblemJson
{
    public required string Kind { get; init; }

    /// <summary>0 for the leaf, 1 for its issuer, and so on; -1 when the problem concerns no single certificate.</summary>
    public required int Position { get; init; }

    public string? Subject { get; init; }

    public required string Message { get; init; }
}

internal sealed class CertificateJson
{
    public required string Subject { get; init; }

    public required string Issuer { get; init; }

    public required string SerialNumber { get; init; }

    public required DateTimeOffset NotBefore { get; init; }

    public required DateTimeOffset NotAfter { get; init; }

    public required int DaysUntilExpiry { get; init; }

    public required string Sha256 { get; init; }

    public required List<string> DnsNames { get; init; }

    public required List<string> IpAddresses { get; init; }

    public string? Key { get; init; }

    public string? SignatureAlgorithm { get; init; }

    public List<string>? KeyUsage { get; init; }

    public List<string>? ExtendedKeyUsage { get; init; }

    public string? BasicConstraints { get; init; }

    public List<string>? SubjectAlternativeNames { get; init; }

    public List<string>? Ocsp { get; init; }

    public List<string>? CaIssuers { get; init; }

    public List<string>? CrlDistributionPoints { get; init; }
}

internal sealed class ProfileJson
{
    public required string Name { get; init; }

    /// <summary>The settings file, or null when the profile is the command line's.</summary>
    public string? File { get; init; }

    public required string Mode { get; init; }

    /// <summary>The profile file's action; null without --profile (every action is shown).</summary>
    public string? InvalidCertificateAction { get; init; }

    public string? ExpectedSubject { get; init; }

    public required string ClockSkew { get; init; }
}

internal sealed class AgentsJson
{
    public required ActionsJson Modern { get; init; }

    public ActionsJson? Legacy { get; init; }
}

internal sealed class PathEntryJson
{
    public required int Position { get; init; }

    public required string Subject { get; init; }

    public required string Issuer { get; init; }

    public required DateTimeOffset NotBefore { get; init; }

    public required DateTimeOffset NotAfter { get; init; }

    public required string Sha256 { get; init; }
}

internal sealed class ActionsJson
{
    public ActionJson? Allow { get; init; }

    public ActionJson? Warn { get; init; }

    public ActionJson? Deny { get; init; }
}

internal sealed class ActionJson
{
    /// <summary>"connect", "ask" (prompts the user), "refuse", or "refuse-unattended".</summary>
    public required string Outcome { get; init; }

    public required string Reason { get; init; }

    public required string Description { get; init; }

    public DateTimeOffset? ApprovedAt { get; init; }
}

internal sealed class ApprovalsUsedJson
{
    public required bool Consulted { get; init; }

    public string? File { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(JudgementJson))]
[JsonSerializable(typeof(ApprovalListJson))]
[JsonSerializable(typeof(ApprovalAddJson))]
[JsonSerializable(typeof(PendingListJson))]
[JsonSerializable(typeof(PendingAnswerJson))]
[JsonSerializable(typeof(ErrorEnvelopeJson))]
[JsonSerializable(typeof(PlanJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
