using System.Text.Json;
using System.Text.Json.Serialization;

namespace CertPolicy;

/// <summary>
/// The pending-questions file (schema version 1): a JSON object with <c>version</c> and <c>questions</c>, each with
/// <c>host</c>, <c>port</c>, <c>sha256</c>, <c>spkiSha256</c>, <c>subject</c>, <c>issuer</c>, <c>notBefore</c>,
/// <c>notAfter</c>, <c>problems</c> (problem kind names), <c>firstSeen</c>, <c>lastSeen</c> and <c>attempts</c>.
/// Problem names this version does not know are dropped (an approval given for the rest then never applies, so
/// nothing is trusted by accident).
/// </summary>
internal static class PendingQuestionFileFormat
{
    public const int CurrentVersion = 1;

    public static PendingQuestionFileModel Empty() => new() { Version = CurrentVersion, Questions = [] };

    /// <summary>Parses the file's bytes.</summary>
    /// <exception cref="ApprovalFileCorruptException">The bytes are not a valid pending-questions file.</exception>
    /// <exception cref="ApprovalFileVersionException">The file was written by a newer, incompatible version.</exception>
    public static PendingQuestionFileModel Parse(ReadOnlySpan<byte> utf8)
    {
        PendingQuestionFileModel? model;
        try
        {
            model = JsonSerializer.Deserialize(utf8, PendingQuestionJsonContext.Default.PendingQuestionFileModel);
        }
        catch (JsonException ex)
        {
            throw new ApprovalFileCorruptException($"The file is not valid pending-questions JSON: {ex.Message}", ex);
        }

        if (model is null)
        {
            throw new ApprovalFileCorruptException("The file holds JSON null instead of a pending-questions object.");
        }

        if (model.Version > CurrentVersion)
        {
            throw new ApprovalFileVersionException(model.Version, CurrentVersion);
        }

        if (model.Version < 1)
        {
            throw new ApprovalFileCorruptException($"The file's version {model.Version} is not a valid schema version.");
        }

        foreach (PendingQuestionEntryModel? entry in model.Questions)
        {
            _ = ToQuestion(entry ?? throw new ApprovalFileCorruptException("A question is null."));
        }

        return model;
    }

    public static byte[] Serialize(PendingQuestionFileModel model) =>
        JsonSerializer.SerializeToUtf8Bytes(model, PendingQuestionJsonContext.Default.PendingQuestionFileModel);

    /// <summary>Converts an entry, checking it.</summary>
    /// <exception cref="ApprovalFileCorruptException">The entry is not a valid question.</exception>
    public static PendingQuestion ToQuestion(PendingQuestionEntryModel entry)
    {
        if (!ServerIdentity.TryCreate(entry.Host, entry.Port, out ServerIdentity? server, out string? error))
        {
            throw new ApprovalFileCorruptException($"A question names an invalid server '{entry.Host}' port {entry.Port}: {error}");
        }

        if (!CertificateFingerprint.TryParse(entry.Sha256, out CertificateFingerprint sha256) || sha256.IsDefault)
        {
            throw new ApprovalFileCorruptException($"A question for {server} has an invalid SHA-256 fingerprint.");
        }

        if (entry.Attempts < 1)
        {
            throw new ApprovalFileCorruptException($"A question for {server} counts {entry.Attempts} attempts; at least 1 is expected.");
        }

        CertificateProblemKinds kinds = CertificateProblemKinds.None;
        foreach (string name in entry.Problems)
        {
            if (ApprovalFileFormat.TryReadKind(name, out CertificateProblemKinds kind))
            {
                kinds |= kind;
            }
        }

        return new PendingQuestion(
            server, sha256, entry.SpkiSha256, entry.Subject, entry.Issuer, entry.NotBefore, entry.NotAfter, kinds, entry.FirstSeen, entry.LastSeen, entry.Attempts,
            ApprovalFileFormat.Base64(entry.IssuerPublicKey, $"A question for {server} has an issuer public key that is not base64."),
            ApprovalFileFormat.Base64(entry.SubjectName, $"A question for {server} has a subject name that is not base64."));
    }

    public static PendingQuestionEntryModel ToEntry(PendingQuestion question) => new()
    {
        Host = question.Server.Host,
        Port = question.Server.Port,
        Sha256 = question.Fingerprint.ToString(),
        SpkiSha256 = question.SpkiSha256,
        Subject = question.Subject,
        Issuer = question.Issuer,
        NotBefore = question.NotBefore,
        NotAfter = question.NotAfter,
        Problems = ApprovalFileFormat.ProblemNames(question.Problems),
        FirstSeen = question.FirstSeen,
        LastSeen = question.LastSeen,
        Attempts = question.Attempts,
        IssuerPublicKey = question.IssuerPublicKey is { } key ? Convert.ToBase64String(key) : null,
        SubjectName = question.SubjectName is { } name ? Convert.ToBase64String(name) : null,
    };
}

/// <summary>The pending-questions file's top-level object.</summary>
internal sealed class PendingQuestionFileModel
{
    [JsonPropertyOrder(0)]
    public required int Version { get; set; }

    [JsonPropertyOrder(1)]
    public required List<PendingQuestionEntryModel> Questions { get; set; }
}

/// <summary>One question in the file.</summary>
internal sealed class PendingQuestionEntryModel
{
    public required string Host { get; set; }

    public required int Port { get; set; }

    public required string Sha256 { get; set; }

    public string? SpkiSha256 { get; set; }

    public required string Subject { get; set; }

    public required string Issuer { get; set; }

    public required DateTimeOffset NotBefore { get; set; }

    public required DateTimeOffset NotAfter { get; set; }

    public required List<string> Problems { get; set; }

    public required DateTimeOffset FirstSeen { get; set; }

    public required DateTimeOffset LastSeen { get; set; }

    public required int Attempts { get; set; }

    /// <summary>Base64 of the DER of the SubjectPublicKeyInfo that signed the certificate, when it was established.</summary>
    public string? IssuerPublicKey { get; set; }

    /// <summary>Base64 of the DER of the certificate's subject.</summary>
    public string? SubjectName { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(PendingQuestionFileModel))]
internal sealed partial class PendingQuestionJsonContext : JsonSerializerContext;
