using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CertPolicy;

/// <summary>
/// The approvals file: a JSON object with <c>version</c> and <c>approvals</c>, each approval with <c>host</c>,
/// <c>port</c>, <c>sha256</c>, <c>problems</c> (problem kind names), <c>approvedAt</c> and <c>subject</c> (version 1),
/// and, from this version on, optionally <c>scope</c>, <c>approvedBy</c>, <c>replacedAt</c>, <c>publicKeySha256</c>,
/// <c>issuerPublicKey</c> and <c>subjectName</c> (base64 DER). Members this version does not know are kept when the
/// file is rewritten.
/// </summary>
/// <remarks>
/// The file is written as version 1 while every approval is of <see cref="ApprovalScope.Certificate"/> scope: version 1
/// readers (which refuse a higher version and keep members they do not know) read it unchanged. An approval of a wider
/// scope makes it version 2, which version 1 readers refuse to read or change: they fail closed (no approval applies,
/// they ask). Forgetting the wider approvals makes the next write version 1 again.
/// </remarks>
internal static class ApprovalFileFormat
{
    /// <summary>The highest version this one reads.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The version of a file holding only approvals of the exact certificate.</summary>
    public const int CertificateOnlyVersion = 1;

    /// <summary>Files larger than this are not parsed: they are treated as corrupt.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    private static readonly FrozenDictionary<string, CertificateProblemKinds> KindsByName =
        Enum.GetValues<CertificateProblemKinds>()
            .Where(k => k != CertificateProblemKinds.None)
            .ToFrozenDictionary(k => k.ToString(), k => k, StringComparer.Ordinal);

    private static readonly CertificateProblemKinds[] KindsInOrder =
        [.. Enum.GetValues<CertificateProblemKinds>().Where(k => k != CertificateProblemKinds.None).Order()];

    public static ApprovalFileModel Empty() => new() { Version = CertificateOnlyVersion, Approvals = [] };

    /// <summary>Parses the file's bytes.</summary>
    /// <exception cref="ApprovalFileCorruptException">The bytes are not a valid approvals file.</exception>
    /// <exception cref="ApprovalFileVersionException">The file was written by a newer, incompatible version.</exception>
    public static ApprovalFileModel Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        ApprovalFileModel? model;
        try
        {
            model = JsonSerializer.Deserialize(utf8, ApprovalFileJsonContext.Default.ApprovalFileModel);
        }
        catch (JsonException ex)
        {
            throw new ApprovalFileCorruptException($"The file is not valid approvals JSON: {ex.Message}", ex);
        }

        if (model is null)
        {
            throw new ApprovalFileCorruptException("The file holds JSON null instead of an approvals object.");
        }

        if (model.Version > CurrentVersion)
        {
            throw new ApprovalFileVersionException(model.Version);
        }

        if (model.Version < 1)
        {
            throw new ApprovalFileCorruptException($"The file's version {model.Version} is not a valid schema version.");
        }

        foreach (ApprovalEntryModel? entry in model.Approvals)
        {
            if (entry is null)
            {
                throw new ApprovalFileCorruptException("An approval is null.");
            }

            _ = ToApproval(entry);
        }

        return model;
    }

    /// <summary>Writes the file; its version is the lowest that can hold its approvals (see the remarks on the class).</summary>
    public static byte[] Serialize(ApprovalFileModel model)
    {
        model.Version = model.Approvals.TrueForAll(e => e.Scope is null or "certificate") ? CertificateOnlyVersion : CurrentVersion;
        return JsonSerializer.SerializeToUtf8Bytes(model, ApprovalFileJsonContext.Default.ApprovalFileModel);
    }

    /// <summary>Converts an entry, checking it.</summary>
    /// <exception cref="ApprovalFileCorruptException">The entry is not a valid approval.</exception>
    public static CertificateApproval ToApproval(ApprovalEntryModel entry)
    {
        if (!ServerIdentity.TryCreate(entry.Host, entry.Port, out ServerIdentity? server, out string? error))
        {
            throw new ApprovalFileCorruptException($"An approval names an invalid server '{entry.Host}' port {entry.Port}: {error}");
        }

        if (!CertificateFingerprint.TryParse(entry.Sha256, out CertificateFingerprint sha256) || sha256.IsDefault)
        {
            throw new ApprovalFileCorruptException($"An approval for {server} has an invalid SHA-256 fingerprint.");
        }

        if (entry.Problems.Count == 0)
        {
            throw new ApprovalFileCorruptException($"An approval for {server} accepts no problem.");
        }

        CertificateProblemKinds kinds = CertificateProblemKinds.None;
        List<string>? unknown = null;
        foreach (string? name in entry.Problems)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw new ApprovalFileCorruptException($"An approval for {server} names an empty problem.");
            }

            if (KindsByName.TryGetValue(name, out CertificateProblemKinds kind))
            {
                kinds |= kind;
            }
            else
            {
                (unknown ??= []).Add(name);
            }
        }

        if (entry.PublicKeySha256 is { } key && !CertificateFingerprint.TryParse(key, out _))
        {
            throw new ApprovalFileCorruptException($"An approval for {server} has an invalid public key SHA-256.");
        }

        var facts = new ApprovalFacts
        {
            Scope = ApprovalText.TryReadScope(entry.Scope, out ApprovalScope scope) ? scope : ApprovalScope.Certificate,
            UnknownScope = ApprovalText.TryReadScope(entry.Scope, out _) ? null : entry.Scope,
            ApprovedBy = entry.ApprovedBy,
            ReplacedAt = entry.ReplacedAt,
            PublicKeySha256 = entry.PublicKeySha256 is { } hex ? CertificateFingerprint.Parse(hex).ToString() : null,
            IssuerPublicKey = Base64(entry.IssuerPublicKey, $"An approval for {server} has an invalid issuer public key (not base64)."),
            SubjectName = Base64(entry.SubjectName, $"An approval for {server} has an invalid subject name (not base64)."),
        };
        try
        {
            return new CertificateApproval(server, sha256, kinds, entry.ApprovedAt, entry.Subject, unknown is null ? [] : [.. unknown], facts);
        }
        catch (ArgumentException ex)
        {
            throw new ApprovalFileCorruptException($"An approval for {server} is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>Bytes written as base64 in a file; null stays null.</summary>
    /// <exception cref="ApprovalFileCorruptException"><paramref name="text"/> is not base64 (with <paramref name="problem"/> as its message).</exception>
    public static byte[]? Base64(string? text, string problem)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException ex)
        {
            throw new ApprovalFileCorruptException(problem, ex);
        }
    }

    /// <summary>The names of the problem kinds in <paramref name="kinds"/>, in the order of their values (as files hold them).</summary>
    public static List<string> ProblemNames(CertificateProblemKinds kinds)
    {
        var problems = new List<string>();
        foreach (CertificateProblemKinds kind in KindsInOrder)
        {
            if ((kinds & kind) != 0)
            {
                problems.Add(kind.ToString());
            }
        }

        return problems;
    }

    /// <summary>The problem kind named <paramref name="name"/>, when this version knows it.</summary>
    public static bool TryReadKind(string name, out CertificateProblemKinds kind) => KindsByName.TryGetValue(name, out kind);

    public static ApprovalEntryModel ToEntry(CertificateApproval approval)
    {
        List<string> problems = ProblemNames(approval.AcceptedProblems);
        problems.AddRange(approval.UnknownProblemNames);
        return new ApprovalEntryModel
        {
            Host = approval.Server.Host,
            Port = approval.Server.Port,
            Sha256 = approval.Fingerprint.ToString(),
            Problems = problems,
            ApprovedAt = approval.ApprovedAt,
            Subject = approval.Subject,
            Scope = approval.Facts.UnknownScope ?? ApprovalText.ScopeName(approval.Scope),
            ApprovedBy = approval.ApprovedBy,
            ReplacedAt = approval.ReplacedAt,
            PublicKeySha256 = approval.PublicKeySha256,
            IssuerPublicKey = approval.Facts.IssuerPublicKey is { } issuerKey ? Convert.ToBase64String(issuerKey) : null,
            SubjectName = approval.Facts.SubjectName is { } subjectName ? Convert.ToBase64String(subjectName) : null,
        };
    }

    /// <summary>The key an entry is stored under, or null when the entry is not valid.</summary>
    public static ApprovalKey? KeyOf(ApprovalEntryModel entry) =>
        ServerIdentity.TryCreate(entry.Host, entry.Port, out ServerIdentity? server, out _) && CertificateFingerprint.TryParse(entry.Sha256, out CertificateFingerprint sha256)
            ? new ApprovalKey(server.Host, server.Port, sha256)
            : null;
}

/// <summary>The approvals file's top-level object.</summary>
internal sealed class ApprovalFileModel
{
    [JsonPropertyOrder(0)]
    public required int Version { get; set; }

    [JsonPropertyOrder(1)]
    public required List<ApprovalEntryModel> Approvals { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? OtherMembers { get; set; }
}

/// <summary>One approval in the file.</summary>
internal sealed class ApprovalEntryModel
{
    public required string Host { get; set; }

    public required int Port { get; set; }

    public required string Sha256 { get; set; }

    public required List<string> Problems { get; set; }

    public required DateTimeOffset ApprovedAt { get; set; }

    public string? Subject { get; set; }

    /// <summary><c>certificate</c> (also when absent), <c>publicKey</c> or <c>issuer</c>.</summary>
    public string? Scope { get; set; }

    public string? ApprovedBy { get; set; }

    public DateTimeOffset? ReplacedAt { get; set; }

    public string? PublicKeySha256 { get; set; }

    /// <summary>Base64 of the DER of the SubjectPublicKeyInfo that signed the approved certificate.</summary>
    public string? IssuerPublicKey { get; set; }

    /// <summary>Base64 of the DER of the approved certificate's subject.</summary>
    public string? SubjectName { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? OtherMembers { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(ApprovalFileModel))]
internal sealed partial class ApprovalFileJsonContext : JsonSerializerContext;

/// <summary>The approvals file is damaged.</summary>
internal sealed class ApprovalFileCorruptException : Exception
{
    public ApprovalFileCorruptException()
    {
    }

    public ApprovalFileCorruptException(string message)
        : base(message)
    {
    }

    public ApprovalFileCorruptException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The approvals file was written by a newer version with an incompatible schema.</summary>
internal sealed class ApprovalFileVersionException : Exception
{
    public ApprovalFileVersionException()
    {
    }

    public ApprovalFileVersionException(string message)
        : base(message)
    {
    }

    public ApprovalFileVersionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public ApprovalFileVersionException(int version, int highestReadable = ApprovalFileFormat.CurrentVersion)
        : base($"The file has schema version {version}; this version of CertPolicy reads versions up to {highestReadable} and will not change the file.")
    {
        Version = version;
    }

    public int Version { get; }
}
