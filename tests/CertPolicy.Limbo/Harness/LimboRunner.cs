using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CertPolicy.Limbo;

/// <summary>
/// Evaluates x509-limbo cases with CertPolicy's public API, as a user would: the trusted certificates become an
/// in-memory <see cref="TrustStore"/>, the peer certificate and the untrusted intermediates are the certificates the
/// peer sent, the validation time is a fixed <see cref="TimeProvider"/>, and the expected peer name, extended key
/// usages, maximum chain depth and CRLs map to the validator's options. An empty list of extended key usages
/// constrains no purpose (the schema's reading), so such a case uses the validator's one internal switch,
/// <c>AnyPurpose</c>. Shared by the console harness and the tests.
/// </summary>
internal static class LimboRunner
{
    public const string Success = "SUCCESS";
    public const string Failure = "FAILURE";
    public const string Skipped = "SKIPPED";

    /// <summary>The start of the context of a case during which the library threw (a bug).</summary>
    public const string CrashPrefix = "CRASH ";

    /// <summary>The largest <see cref="CertificateValidatorOptions.MaxChainDepth"/> the library accepts; deeper limits are clamped.</summary>
    public const int LargestChainDepth = 32;

    private static readonly Dictionary<string, string> Purposes = new(StringComparer.Ordinal)
    {
        ["serverAuth"] = CertificateValidatorOptions.ServerAuthenticationOid,
        ["clientAuth"] = CertificateValidatorOptions.ClientAuthenticationOid,
        ["codeSigning"] = "1.3.6.1.5.5.7.3.3",
        ["emailProtection"] = "1.3.6.1.5.5.7.3.4",
        ["timeStamping"] = "1.3.6.1.5.5.7.3.8",
        ["OCSPSigning"] = "1.3.6.1.5.5.7.3.9",
        ["anyExtendedKeyUsage"] = "2.5.29.37.0",
    };

    /// <summary>Reads a limbo file.</summary>
    public static LimboSuite Load(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<LimboSuite>(stream) ?? throw new InvalidDataException($"{path} holds no limbo suite.");
    }

    /// <summary>Writes a limbo results file.</summary>
    public static void Save(string path, IReadOnlyList<LimboResult> results)
    {
        using FileStream stream = File.Create(path);
        JsonSerializer.Serialize(stream, new LimboResults("certpolicy", results), new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Turns a case into validator inputs, or says why it cannot be run.</summary>
    public static PreparedCase Prepare(LimboCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        var notes = new List<string>();
        var peer = new List<ReadOnlyMemory<byte>> { Der(testCase.PeerCertificate, "CERTIFICATE").Single() };
        foreach (string pem in testCase.UntrustedIntermediates)
        {
            peer.AddRange(Der(pem, "CERTIFICATE"));
        }

        var trusted = new List<ReadOnlyMemory<byte>>();
        foreach (string pem in testCase.TrustedCerts)
        {
            trusted.AddRange(Der(pem, "CERTIFICATE"));
        }

        var crls = new List<ReadOnlyMemory<byte>>();
        foreach (string pem in testCase.Crls ?? [])
        {
            crls.AddRange(Der(pem, "X509 CRL"));
        }

        int? maxChainDepth = testCase.MaxChainDepth;
        if (maxChainDepth > LargestChainDepth)
        {
            notes.Add($"max_chain_depth {maxChainDepth} clamped to {LargestChainDepth}");
            maxChainDepth = LargestChainDepth;
        }

        bool isServer = string.Equals(testCase.ValidationKind, "SERVER", StringComparison.Ordinal);
        var purposes = new List<string?>();
        foreach (string purpose in testCase.ExtendedKeyUsage ?? [])
        {
            if (!Purposes.TryGetValue(purpose, out string? oid))
            {
                return PreparedCase.Skip($"the extended key usage \"{purpose}\" is unknown to this harness");
            }

            purposes.Add(oid);
        }

        if (purposes.Count == 0)
        {
            // The schema: an empty list constrains nothing, so the case is validated without a required purpose.
            purposes.Add(null);
        }

        ServerIdentity? identity = null;
        string? refusedName = null;
        if (isServer && testCase.ExpectedPeerName is { } name)
        {
            if (name.Kind is "DNS" or "IP")
            {
                if (!ServerIdentity.TryCreate(name.Value, 443, out identity, out string? error))
                {
                    refusedName = $"the library refuses the peer name \"{name.Value}\": {error}";
                }
            }
            else
            {
                notes.Add($"a {name.Kind} peer name is not a server identity; validated without identity");
            }
        }
        else if (isServer)
        {
            notes.Add("no expected peer name; validated without identity");
        }
        else
        {
            notes.Add("client validation: validated without identity");
        }

        TimeProvider time = testCase.ValidationTime is { } at ? new FixedTimeProvider(at) : TimeProvider.System;
        return new PreparedCase(new InMemoryAnchors(trusted), peer, crls, maxChainDepth, purposes, identity, time, refusedName, null, notes);
    }

    /// <summary>Creates the validator for one purpose of a prepared case; null for any purpose (the library's internal mode).</summary>
    public static CertificateValidator CreateValidator(PreparedCase prepared, string? purpose)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var options = new CertificateValidatorOptions
        {
            TrustStore = prepared.TrustStore,
        };
        if (purpose is not null)
        {
            options.RequiredExtendedKeyUsage = purpose;
        }

        if (prepared.MaxChainDepth is int depth)
        {
            options.MaxChainDepth = depth;
        }

        foreach (ReadOnlyMemory<byte> crl in prepared.RevocationLists)
        {
            options.RevocationLists.Add(crl);
        }

        return new CertificateValidator(options, prepared.Time) { AnyPurpose = purpose is null };
    }

    /// <summary>Evaluates one case.</summary>
    public static LimboResult Run(LimboCase testCase)
    {
        ArgumentNullException.ThrowIfNull(testCase);
        PreparedCase prepared;
        try
        {
            prepared = Prepare(testCase);
        }
        catch (FormatException e)
        {
            return new LimboResult(testCase.Id, Failure, "the case's PEM does not decode: " + e.Message);
        }

        if (prepared.SkipReason is { } skip)
        {
            return new LimboResult(testCase.Id, Skipped, skip);
        }

        if (prepared.RefusedName is { } refused)
        {
            return new LimboResult(testCase.Id, Failure, refused);
        }

        var context = new StringBuilder();
        bool valid = true;
        foreach (string? purpose in prepared.Purposes)
        {
            CertificateValidator validator = CreateValidator(prepared, purpose);
            ValidationReport report;
            try
            {
                report = prepared.Identity is { } identity
                    ? validator.Validate(prepared.Peer, identity)
                    : validator.ValidateWithoutIdentity(prepared.Peer);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The library must never throw for certificate input; record it so the results file stays complete.
                return new LimboResult(testCase.Id, Failure, $"{CrashPrefix}{e.GetType().Name}: {e.Message}");
            }

            if (!report.IsValid)
            {
                valid = false;
                foreach (CertificateProblem problem in report.Verdict.Problems)
                {
                    context.Append(context.Length == 0 ? string.Empty : " | ").Append(problem);
                }
            }
        }

        foreach (string note in prepared.Notes)
        {
            context.Append(context.Length == 0 ? string.Empty : " | ").Append(note);
        }

        return new LimboResult(testCase.Id, valid ? Success : Failure, context.ToString());
    }

    /// <summary>Every block with the given label in a PEM text, decoded.</summary>
    private static List<ReadOnlyMemory<byte>> Der(string pem, string label)
    {
        var blocks = new List<ReadOnlyMemory<byte>>();
        ReadOnlySpan<char> rest = pem;
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            if (rest[fields.Label].SequenceEqual(label))
            {
                blocks.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
            }

            rest = rest[fields.Location.End..];
        }

        if (blocks.Count == 0)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"no {label} block found"));
        }

        return blocks;
    }

    /// <summary>A clock stopped at the case's validation time.</summary>
    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The case's trusted certificates, as a user's own store would hold them.</summary>
    private sealed class InMemoryAnchors(IEnumerable<ReadOnlyMemory<byte>> certificates) : TrustStore
    {
        private readonly TrustAnchors _anchors = new(certificates);

        public override TrustAnchors GetAnchors() => _anchors;
    }
}

/// <summary>A limbo case turned into validator inputs.</summary>
internal sealed record PreparedCase(
    TrustStore TrustStore,
    IReadOnlyList<ReadOnlyMemory<byte>> Peer,
    IReadOnlyList<ReadOnlyMemory<byte>> RevocationLists,
    int? MaxChainDepth,
    IReadOnlyList<string?> Purposes,
    ServerIdentity? Identity,
    TimeProvider Time,
    string? RefusedName,
    string? SkipReason,
    IReadOnlyList<string> Notes)
{
    public static PreparedCase Skip(string reason) =>
        new(null!, [], [], null, [], null, TimeProvider.System, null, reason, []);
}
