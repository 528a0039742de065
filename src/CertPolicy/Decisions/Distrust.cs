namespace CertPolicy;

/// <summary>
/// The profile's distrust list: certificates and public keys that are never trusted, whatever the profile's action,
/// a remembered approval or a pre-approval says (for example a vendor default certificate whose private key ships
/// with every server). Checked against the server's certificate and every certificate of the path the validator
/// built. NOT checked: certificates the server sent that are not on that path.
/// </summary>
internal sealed class Distrust
{
    private readonly FingerprintPattern[] _patterns;

    private Distrust(FingerprintPattern[] patterns) => _patterns = patterns;

    /// <summary>No distrusted certificate.</summary>
    public static Distrust None { get; } = new([]);

    /// <summary>Reads the list (certificate SHA-256 in hexadecimal or <c>sha256//BASE64</c> of a public key).</summary>
    /// <exception cref="ArgumentException">An entry is neither form; the message names the entry.</exception>
    public static Distrust Parse(IEnumerable<string> entries, string settingName)
    {
        List<FingerprintPattern> patterns = FingerprintPattern.ReadEntries(
            entries,
            settingName,
            entry => (FingerprintPattern.TryParse(entry, out FingerprintPattern pattern, out string? error) ? pattern : default, error));
        return patterns.Count == 0 ? None : new Distrust([.. patterns]);
    }

    /// <summary>
    /// The reason the report's certificates are distrusted (which certificate matched which entry), or null when none
    /// is.
    /// </summary>
    public string? Why(ValidationReport report)
    {
        if (_patterns.Length == 0)
        {
            return null;
        }

        if (report.Certificate is { } leaf && Match(leaf) is { } onLeaf)
        {
            return Describe(leaf, onLeaf, "The server's certificate");
        }

        foreach (CertificateSummary certificate in report.Path)
        {
            if (Match(certificate) is { } onPath)
            {
                return Describe(certificate, onPath, "A certificate of its path");
            }
        }

        return null;
    }

    private FingerprintPattern? Match(CertificateSummary certificate)
    {
        foreach (FingerprintPattern pattern in _patterns)
        {
            if (pattern.Matches(certificate))
            {
                return pattern;
            }
        }

        return null;
    }

    private static string Describe(CertificateSummary certificate, FingerprintPattern pattern, string which) =>
        pattern.Subject == FingerprintSubject.Certificate
            ? $"{which} ({certificate.Subject}) is on the profile's distrust list (certificate SHA-256 {pattern}), so it is never trusted."
            : $"{which} ({certificate.Subject}) carries a public key on the profile's distrust list ({pattern}), so it is never trusted.";
}
