namespace CertPolicy;

/// <summary>
/// The profile's pre-approvals (pins): certificates or public keys the administrator approved for deployment, for
/// every server or for one. A server certificate that matches connects without asking under every action, with
/// reason <see cref="DecisionReason.PreApproved"/>; its report still lists its problems. Only the server's own
/// certificate is compared (a pinned CA key does not pre-approve the certificates it signed), and the distrust list
/// wins over a pre-approval.
/// </summary>
/// <remarks>
/// Entries: <c>FINGERPRINT</c> (any server), <c>host=FINGERPRINT</c> (that host, any port) or
/// <c>host:port=FINGERPRINT</c> (IPv6 as <c>[::1]:443=...</c>), where FINGERPRINT is a certificate's SHA-256 in
/// hexadecimal or a public key's <c>sha256//BASE64</c>.
/// </remarks>
internal sealed class PreApprovals
{
    private readonly Pin[] _pins;

    private PreApprovals(Pin[] pins) => _pins = pins;

    /// <summary>No pre-approval.</summary>
    public static PreApprovals None { get; } = new([]);

    /// <summary>Reads the list.</summary>
    /// <exception cref="ArgumentException">An entry is malformed; the message names the entry.</exception>
    public static PreApprovals Parse(IEnumerable<string> entries, string settingName)
    {
        List<Pin> pins = FingerprintPattern.ReadEntries(entries, settingName, entry => (TryParse(entry, out Pin? pin, out string? error) ? pin : null!, error));
        return pins.Count == 0 ? None : new PreApprovals([.. pins]);
    }

    /// <summary>The pre-approval the report's server certificate matches, as text; null when none does.</summary>
    public string? Match(ValidationReport report)
    {
        if (report.Identity is not { } server || report.Certificate is not { } certificate)
        {
            return null;
        }

        foreach (Pin pin in _pins)
        {
            if ((pin.Host is null || (string.Equals(pin.Host, server.Host, StringComparison.Ordinal) && (pin.Port is null || pin.Port == server.Port)))
                && pin.Fingerprint.Matches(certificate))
            {
                return pin.ToString();
            }
        }

        return null;
    }

    private static bool TryParse(string? entry, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Pin? pin, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        pin = null;
        string text = entry?.Trim() ?? string.Empty;
        string? serverText = null;
        string fingerprintText = text;
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        if (!text.StartsWith(FingerprintPattern.PublicKeyPrefix, StringComparison.OrdinalIgnoreCase) && equals >= 0)
        {
            serverText = text[..equals].Trim();
            fingerprintText = text[(equals + 1)..];
        }

        if (!FingerprintPattern.TryParse(fingerprintText, out FingerprintPattern fingerprint, out error))
        {
            return false;
        }

        if (serverText is null)
        {
            pin = new Pin(null, null, fingerprint);
            return true;
        }

        // Parsed twice with different default ports: when both agree, the entry named its port.
        if (!ServerIdentity.TryParse(serverText, 1, out ServerIdentity? first, out error)
            || !ServerIdentity.TryParse(serverText, 2, out ServerIdentity? second, out error))
        {
            error = $"'{serverText}' is not a server ('host' or 'host:port'): {error}";
            return false;
        }

        pin = new Pin(first.Host, first.Port == second.Port ? first.Port : null, fingerprint);
        error = null;
        return true;
    }

    private sealed record Pin(string? Host, int? Port, FingerprintPattern Fingerprint)
    {
        public override string ToString() => Host is null ? Fingerprint.ToString() : Port is null ? $"{Host}={Fingerprint}" : $"{Host}:{Port}={Fingerprint}";
    }
}
