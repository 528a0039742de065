namespace CertPolicy;

/// <summary>
/// The opt-in fallback of older products: a server's DNS name found in the subject common name of a certificate that
/// has no subjectAltName extension at all (<see cref="CertificateValidatorOptions.AcceptCommonNameWithoutSubjectAltName"/>).
/// Off by default; RFC 9525 and every browser refuse it. When it accepts, the verdict carries the notice
/// <see cref="CertificateProblemKinds.NameOnlyInCommonName"/>; when it does not, the certificate is a name mismatch as
/// without the opt-in, and the reason says why the fallback did not apply.
/// </summary>
/// <remarks>
/// The common name is judged as a presented DNS name (<see cref="PresentedDnsName.Check"/>: letters, digits and
/// hyphens, A-labels only) and compared with the normalised reference name exactly as a dNSName entry is (ASCII case
/// ignored, nothing else), but a wildcard is never honoured. What the fallback decides, for a certificate with no
/// subjectAltName extension and an agent that opted in:
/// <code>
/// | Presented subject CN        | Reference identity     | Outcome                                              |
/// |-----------------------------|------------------------|------------------------------------------------------|
/// | ems.example.test            | ems.example.test       | accepted, notice NameOnlyInCommonName                |
/// | EMS.Example.TEST            | ems.example.test       | accepted (ASCII case is ignored, as for dNSName)     |
/// | xn--bcher-kva.example       | bücher.example         | accepted (the reference is normalised to its A-label)|
/// | ems.example.test            | other.example.test     | NameMismatch                                         |
/// | ems.example.test.           | ems.example.test       | NameMismatch (a trailing dot is malformed)           |
/// | *.example.test              | ems.example.test       | NameMismatch (never a wildcard)                      |
/// | e*.example.test             | ems.example.test       | NameMismatch (never a wildcard)                      |
/// | bücher.example              | bücher.example         | NameMismatch (a U-label is not a DNS name)           |
/// | EMS Default Certificate     | ems.example.test       | NameMismatch (not a DNS name)                        |
/// | 127.0.0.1                   | 127.0.0.1              | NameMismatch (never for an IP address)               |
/// | 127.0.0.1                   | ems.example.test       | NameMismatch (an address is not a DNS name)          |
/// | two CNs, one matching       | ems.example.test       | NameMismatch (which CN counts is ambiguous)          |
/// | (none)                      | ems.example.test       | NameMismatch                                         |
/// </code>
/// A certificate with a subjectAltName extension, even an empty or a non-matching one, is never judged here: its
/// subjectAltName alone names the server. The fallback never weakens anything else: validity, path, key usage and
/// name constraints are checked as for every certificate, and a name accepted here is withdrawn (a name mismatch) when
/// a CA of the path has name constraints, since those restrict subjectAltName entries and not a common name
/// (<see cref="CertificateValidator"/> does that once the path is built).
/// </remarks>
internal static class CommonNameIdentity
{
    /// <summary>Judges the reference identity against the subject common names of a certificate with no subjectAltName.</summary>
    /// <param name="identity">The normalised reference identity.</param>
    /// <param name="commonNames">Every commonName attribute of the leaf's subject.</param>
    /// <param name="reason">Why it was accepted (for the notice) or refused (for the name mismatch).</param>
    /// <returns>True when the reference DNS name is the certificate's only common name.</returns>
    public static bool Accepts(ServerIdentity identity, IReadOnlyList<string> commonNames, out string reason)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(commonNames);
        const string Prefix = "The certificate has no subjectAltName";
        if (identity.IsIPAddress)
        {
            reason = $"{Prefix}; the profile accepts a DNS name in the subject common name, but never an IP address, so it is not valid for {identity.Host}.";
            return false;
        }

        string host = DisplayText.Quote(identity.Host);
        if (commonNames.Count != 1)
        {
            reason = commonNames.Count == 0
                ? $"{Prefix} and its subject has no common name, so it names no server. Expected {host}."
                : $"{Prefix} and its subject has {commonNames.Count} common names, so which one names the server is ambiguous. Expected {host}.";
            return false;
        }

        string commonName = commonNames[0];
        PresentedNameDefect defect = PresentedDnsName.Check(commonName, out bool isWildcard);
        if (defect != PresentedNameDefect.None || isWildcard)
        {
            string why = isWildcard ? "a wildcard is never accepted in the common name" : PresentedDnsName.Describe(defect, commonName);
            reason = $"{Prefix}, and its subject common name {DisplayText.Quote(commonName)} is not accepted as a DNS name ({why}). Expected {host}.";
            return false;
        }

        if (!PresentedDnsName.Matches(identity.Host, commonName, PublicSuffixList.Shipped, out _))
        {
            reason = $"{Prefix}, and its subject common name {DisplayText.Quote(commonName)} is not {host}.";
            return false;
        }

        reason = $"{Prefix}; {host} was accepted because it is the subject common name, which this profile allows (AcceptCommonNameWithoutSubjectAltName). RFC 9525 and browsers refuse such a certificate: reissue it with a subjectAltName.";
        return true;
    }
}
