namespace CertPolicy.Cli.Commands;

/// <summary>What an approval written by the tool covers: <c>--scope certificate|key|issuer</c>.</summary>
internal enum ApprovalScopeArgument
{
    /// <summary>The exact certificate (its SHA-256): what agents remember when a user says yes.</summary>
    Certificate,

    /// <summary>Any certificate for the server with the same public key.</summary>
    Key,

    /// <summary>Any certificate for the server with the same subject, signed by the same issuer key.</summary>
    Issuer,
}

/// <summary>The one place the tool makes an approval, whatever its scope.</summary>
internal static class ApprovalFactory
{
    /// <summary>The scope's name on the command line.</summary>
    public static string Name(ApprovalScopeArgument scope) => scope switch
    {
        ApprovalScopeArgument.Key => "key",
        ApprovalScopeArgument.Issuer => "issuer",
        _ => "certificate",
    };

    /// <summary>Reads <c>--scope</c>: certificate, key or issuer, in any case; null when it is none of them.</summary>
    public static ApprovalScopeArgument? Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "certificate" => ApprovalScopeArgument.Certificate,
        "key" => ApprovalScopeArgument.Key,
        "issuer" => ApprovalScopeArgument.Issuer,
        _ => null,
    };

    /// <summary>An approval of <paramref name="fingerprint"/> for <paramref name="server"/> while it has exactly <paramref name="problems"/>.</summary>
    /// <param name="server">The server agents connect to.</param>
    /// <param name="fingerprint">The certificate's SHA-256.</param>
    /// <param name="problems">The problems approved; at least one.</param>
    /// <param name="approvedAt">Now.</param>
    /// <param name="subject">The certificate's subject, when known.</param>
    /// <param name="scope">What the approval covers.</param>
    /// <param name="report">The validation of the certificate (key and issuer scopes need its key and path); null with --sha256.</param>
    /// <exception cref="CliException">The scope needs the certificate itself, or the key it needs cannot be established.</exception>
    public static CertificateApproval Create(
        ServerIdentity server,
        CertificateFingerprint fingerprint,
        CertificateProblemKinds problems,
        DateTimeOffset approvedAt,
        string? subject,
        ApprovalScopeArgument scope,
        ValidationReport? report)
    {
        if (scope != ApprovalScopeArgument.Certificate && report is null)
        {
            throw new CliException($"--scope {Name(scope)} needs the certificate itself (--from-pem FILE): a SHA-256 fingerprint does not tell its key or issuer.") { Code = "bad-arguments" };
        }

        ApprovalFacts facts = ApprovalMatching.FactsFor(report, ToScope(scope), ApprovalText.CurrentAccount(), out string? missing)
            ?? throw new CliException($"--scope {Name(scope)}: {missing} cannot be established; for the issuer scope, put the issuer after the certificate in the PEM file (a self-signed certificate is its own issuer).") { Code = "unsupported-scope" };
        return new CertificateApproval(server, fingerprint, problems, approvedAt, subject, [], facts);
    }

    /// <summary>The library's scope of a command-line scope.</summary>
    public static ApprovalScope ToScope(ApprovalScopeArgument scope) => scope switch
    {
        ApprovalScopeArgument.Key => ApprovalScope.PublicKey,
        ApprovalScopeArgument.Issuer => ApprovalScope.Issuer,
        _ => ApprovalScope.Certificate,
    };
}
