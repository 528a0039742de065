namespace CertPolicy;

/// <summary>What a person needs to recognise a certificate: names, validity and fingerprint.</summary>
public sealed class CertificateSummary
{
    private ParsedCertificate? _parsed;

    /// <summary>Creates a summary.</summary>
    /// <param name="subject">The subject distinguished name, as text.</param>
    /// <param name="issuer">The issuer distinguished name, as text.</param>
    /// <param name="serialNumber">The serial number, as upper-case hexadecimal.</param>
    /// <param name="notBefore">The start of the validity period.</param>
    /// <param name="notAfter">The end of the validity period.</param>
    /// <param name="sha256Fingerprint">The SHA-256 of the certificate's DER, as upper-case hexadecimal without separators.</param>
    /// <param name="dnsNames">The dNSName entries of the subject alternative name extension.</param>
    /// <param name="ipAddresses">The iPAddress entries of the subject alternative name extension, as text.</param>
    public CertificateSummary(
        string subject,
        string issuer,
        string serialNumber,
        DateTimeOffset notBefore,
        DateTimeOffset notAfter,
        string sha256Fingerprint,
        IReadOnlyList<string> dnsNames,
        IReadOnlyList<string> ipAddresses)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(serialNumber);
        ArgumentException.ThrowIfNullOrEmpty(sha256Fingerprint);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(ipAddresses);
        Subject = subject;
        Issuer = issuer;
        SerialNumber = serialNumber;
        NotBefore = notBefore;
        NotAfter = notAfter;
        Sha256Fingerprint = sha256Fingerprint;
        DnsNames = dnsNames;
        IPAddresses = ipAddresses;
    }

    /// <summary>The subject distinguished name, as text.</summary>
    public string Subject { get; }

    /// <summary>The issuer distinguished name, as text.</summary>
    public string Issuer { get; }

    /// <summary>The serial number, as upper-case hexadecimal.</summary>
    public string SerialNumber { get; }

    /// <summary>The start of the validity period (UTC).</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>The end of the validity period (UTC).</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The SHA-256 of the certificate's DER, as upper-case hexadecimal without separators.</summary>
    public string Sha256Fingerprint { get; }

    /// <summary>The dNSName entries of the subject alternative name extension.</summary>
    public IReadOnlyList<string> DnsNames { get; }

    /// <summary>The iPAddress entries of the subject alternative name extension, as text.</summary>
    public IReadOnlyList<string> IPAddresses { get; }

    /// <summary>
    /// The SHA-256 of the certificate's SubjectPublicKeyInfo DER, as upper-case hexadecimal without separators; null
    /// when the summary was not made from a parsed certificate. Public-key fingerprints in distrust lists and
    /// pre-approvals are compared with it.
    /// </summary>
    internal string? PublicKeySha256 { get; init; }

    /// <summary>
    /// The parsed certificate the summary was made from, for the decision taken on its report (approvals of wider
    /// scopes check its subject and signature); null when it was not made from one, or once a cache keeps the report
    /// (<see cref="ValidationReport.ReleaseParsedCertificates"/>), so that cached reports hold only text.
    /// </summary>
    internal ParsedCertificate? Parsed
    {
        get => Volatile.Read(ref _parsed);
        init => _parsed = value;
    }

    /// <summary>Lets the parsed certificate go (see <see cref="Parsed"/>).</summary>
    internal void ReleaseParsed() => Volatile.Write(ref _parsed, null);

    /// <inheritdoc/>
    public override string ToString() => $"{Subject} (SHA-256 {Sha256Fingerprint})";
}
