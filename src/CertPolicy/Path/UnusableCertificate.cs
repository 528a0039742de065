namespace CertPolicy;

/// <summary>A certificate the peer sent beside the leaf that could not be parsed, kept so that a report names it instead of saying nothing was sent.</summary>
/// <param name="Index">Its index in the peer's list (the leaf is 0).</param>
/// <param name="Subject">Its subject, when even that could be read; else null.</param>
/// <param name="Reason">Why it could not be used.</param>
internal sealed record UnusableCertificate(int Index, DistinguishedName? Subject, string Reason)
{
    /// <summary>Parses the peer's certificates after the leaf: the usable ones, without duplicates of each other or of the leaf, and the unusable ones with the reason.</summary>
    public static List<ParsedCertificate> ParseIssuers(IReadOnlyList<ReadOnlyMemory<byte>> peerCertificates, ParsedCertificate leaf, out List<UnusableCertificate> unusable)
    {
        var issuers = new List<ParsedCertificate>(peerCertificates.Count - 1);
        var seen = new HashSet<string>(StringComparer.Ordinal) { leaf.Sha256Fingerprint };
        unusable = [];
        for (int i = 1; i < peerCertificates.Count; i++)
        {
            // Junk and duplicates among the extra certificates are not used (servers send all sorts), but junk is remembered for the report.
            if (ParsedCertificate.TryParse(peerCertificates[i], out ParsedCertificate? certificate, out string? error))
            {
                if (seen.Add(certificate.Sha256Fingerprint))
                {
                    issuers.Add(certificate);
                }
            }
            else
            {
                unusable.Add(new UnusableCertificate(i, ParsedCertificate.TryReadSubjectOfUnusable(peerCertificates[i]), error));
            }
        }

        return issuers;
    }
}
