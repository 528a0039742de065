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

    public static void Write(TextWriter output, JudgedSource source, Judgement judgement)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(JsonSerializer.Serialize(Build(source, judgement), Context.JudgementJson));
        output.Flush();
    }

    public static JudgementJson Build(JudgedSource source, Judgement judgement)
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
            Identity = report.Identity?.ToString(),
            Mode = "modern",
            ValidatedAt = report.ValidatedAt.ToUniversalTime(),
            TrustStore = judgement.TrustDescription,
            Valid = judgement.IsValid,
            ExitCode = judgement.ExitCode,
            Modern = new VerdictJson { Valid = report.Modern.IsValid, Problems = Problems(report.Modern) },
            Legacy = new LegacyVerdictJson
            {
                ExpectedSubject = judgement.ExpectedSubject,
                Valid = report.Legacy?.IsValid,
                Problems = report.Legacy is { } legacy ? Problems(legacy) : null,
            },
            Certificate = judgement.Leaf is { } leaf ? Certificate(leaf, report.ValidatedAt) : null,
            Path = [.. report.Path.Select((c, i) => new PathEntryJson
            {
                Position = i,
                Subject = c.Subject,
                Issuer = c.Issuer,
                NotBefore = c.NotBefore.ToUniversalTime(),
                NotAfter = c.NotAfter.ToUniversalTime(),
                Sha256 = c.Sha256Fingerprint,
            })],
            Actions = new ActionsJson
            {
                Allow = Action(judgement, "Allow"),
                Warn = Action(judgement, "Warn"),
                Deny = Action(judgement, "Deny"),
            },
            Approvals = new ApprovalsUsedJson { Consulted = judgement.ApprovalsFile is not null, File = judgement.ApprovalsFile },
            Warnings = [.. judgement.Warnings],
            Notes = [.. judgement.Notes],
        };
    }

    private static List<ProblemJson> Problems(ValidationVerdict verdict) =>
        [.. verdict.Problems.Select(p => new ProblemJson { Kind = p.Kind.ToString(), Position = p.ChainPosition, Subject = p.Subject, Message = p.Message })];

    private static CertificateJson Certificate(CertificateSummary leaf, DateTimeOffset now) => new()
    {
        Subject = leaf.Subject,
        Issuer = leaf.Issuer,
        SerialNumber = leaf.SerialNumber,
        NotBefore = leaf.NotBefore.ToUniversalTime(),
        NotAfter = leaf.NotAfter.ToUniversalTime(),
        DaysUntilExpiry = (int)Math.Floor((leaf.NotAfter - now).TotalDays),
        Sha256 = leaf.Sha256Fingerprint,
        DnsNames = [.. leaf.DnsNames],
        IpAddresses = [.. leaf.IPAddresses],
    };

    private static ActionJson? Action(Judgement judgement, string name) =>
        judgement.Actions.FirstOrDefault(a => a.Action == name) is { } a
            ? new ActionJson { Outcome = a.Outcome, Reason = a.Reason, Description = a.Description, ApprovedAt = a.ApprovedAt?.ToUniversalTime() }
            : null;
}

internal sealed class JudgementJson
{
    public required string Command { get; init; }

    public required string Target { get; init; }

    public string? RemoteAddress { get; init; }

    public string? Tls { get; init; }

    public string? Identity { get; init; }

    public required string Mode { get; init; }

    public required DateTimeOffset ValidatedAt { get; init; }

    public required string TrustStore { get; init; }

    public required bool Valid { get; init; }

    public required int ExitCode { get; init; }

    public required VerdictJson Modern { get; init; }

    public required LegacyVerdictJson Legacy { get; init; }

    public CertificateJson? Certificate { get; init; }

    public required List<PathEntryJson> Path { get; init; }

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
    /// <summary>"connect", "refuse", or "ask".</summary>
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
internal sealed partial class CliJsonContext : JsonSerializerContext;
