using System.Text.Json.Serialization;

namespace CertPolicy.Limbo;

/// <summary>The top of a limbo file (schema version 1).</summary>
internal sealed record LimboSuite(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("testcases")] IReadOnlyList<LimboCase> Testcases);

/// <summary>One limbo test case: the fields this harness uses.</summary>
internal sealed record LimboCase(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("features")] IReadOnlyList<string>? Features,
    [property: JsonPropertyName("validation_kind")] string ValidationKind,
    [property: JsonPropertyName("trusted_certs")] IReadOnlyList<string> TrustedCerts,
    [property: JsonPropertyName("untrusted_intermediates")] IReadOnlyList<string> UntrustedIntermediates,
    [property: JsonPropertyName("peer_certificate")] string PeerCertificate,
    [property: JsonPropertyName("validation_time")] DateTimeOffset? ValidationTime,
    [property: JsonPropertyName("extended_key_usage")] IReadOnlyList<string>? ExtendedKeyUsage,
    [property: JsonPropertyName("expected_result")] string ExpectedResult,
    [property: JsonPropertyName("expected_peer_name")] LimboPeerName? ExpectedPeerName,
    [property: JsonPropertyName("max_chain_depth")] int? MaxChainDepth,
    [property: JsonPropertyName("crls")] IReadOnlyList<string>? Crls);

/// <summary>A peer name: kind DNS, IP or RFC822, and the value.</summary>
internal sealed record LimboPeerName(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("value")] string Value);

/// <summary>The outcome of one case, as a limbo results file records it.</summary>
internal sealed record LimboResult(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("actual_result")] string ActualResult,
    [property: JsonPropertyName("context")] string Context);

/// <summary>A limbo results file.</summary>
internal sealed record LimboResults(
    [property: JsonPropertyName("harness")] string Harness,
    [property: JsonPropertyName("results")] IReadOnlyList<LimboResult> Results);
