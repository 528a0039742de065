using System.Text;

namespace CertPolicy;

/// <summary>Certificate problems in words a person who is not a PKI expert can act on.</summary>
internal static class ProblemText
{
    private static readonly (CertificateProblemKinds Kind, string Short, string Sentence)[] Table =
    [
        (CertificateProblemKinds.NoCertificate, "no certificate", "The server sent no certificate."),
        (CertificateProblemKinds.MalformedCertificate, "malformed certificate", "The certificate is damaged or is not a valid certificate."),
        (CertificateProblemKinds.NameMismatch, "name mismatch", "The certificate was issued for a different server name or address."),
        (CertificateProblemKinds.Expired, "expired", "The certificate has expired."),
        (CertificateProblemKinds.NotYetValid, "not yet valid", "The certificate is not valid yet; check this computer's clock."),
        (CertificateProblemKinds.UntrustedRoot, "untrusted root", "The certificate was issued by an authority the agent does not trust."),
        (CertificateProblemKinds.PartialChain, "incomplete chain", "The certificate's issuer could not be found, so where it comes from cannot be checked."),
        (CertificateProblemKinds.BadSignature, "bad signature", "A signature in the certificate chain does not verify: a certificate may have been tampered with."),
        (CertificateProblemKinds.NotCertificateAuthority, "issuer is not an authority", "A certificate in the chain issued others without being allowed to."),
        (CertificateProblemKinds.PathLengthExceeded, "path length exceeded", "The certificate chain is longer than one of its issuers allows."),
        (CertificateProblemKinds.InvalidKeyUsage, "invalid key usage", "A certificate in the chain is used for something its key is not allowed to do."),
        (CertificateProblemKinds.MissingExtendedKeyUsage, "not for servers", "The certificate is not meant to identify servers."),
        (CertificateProblemKinds.NameConstraintViolation, "name constraint violation", "The certificate names a server its issuer may not vouch for."),
        (CertificateProblemKinds.ChainTooLong, "chain too long", "The certificate chain is too long."),
        (CertificateProblemKinds.WorkBudgetExceeded, "chain too complex", "The certificate chain is too complex to check."),
        (CertificateProblemKinds.UnhandledCriticalExtension, "unhandled critical extension", "A certificate carries a critical feature this program does not understand."),
        (CertificateProblemKinds.WeakKey, "weak key", "A certificate in the chain uses a weak key."),
        (CertificateProblemKinds.UnsupportedSignatureAlgorithm, "unsupported signature algorithm", "A certificate is signed with an unsupported or forbidden algorithm."),
        (CertificateProblemKinds.NonConformingCertificate, "non-conforming certificate", "A certificate does not follow the certificate standards."),
        (CertificateProblemKinds.Revoked, "revoked", "A certificate in the chain has been revoked by its issuer."),
        (CertificateProblemKinds.RevocationStatusUnknown, "revocation status unknown", "Whether a certificate in the chain has been revoked could not be determined."),
        (CertificateProblemKinds.SubjectMismatch, "subject mismatch", "The certificate's subject is not the one this agent expects."),
        (CertificateProblemKinds.NameOnlyInCommonName, "name only in common name", "The server's name is only in the certificate's common name, which modern clients do not accept."),
    ];

    /// <summary>
    /// One sentence per kind present, in a fixed order; <paramref name="names"/> follows the name mismatch's sentence,
    /// and an untrusted root or a missing issuer names <paramref name="trustStore"/>, the store the path was built to.
    /// </summary>
    public static string[] Sentences(CertificateProblemKinds kinds, string? names = null, TrustStore? trustStore = null)
    {
        var sentences = new List<string>();
        CertificateProblemKinds known = CertificateProblemKinds.None;
        foreach ((CertificateProblemKinds kind, _, string sentence) in Table)
        {
            known |= kind;
            if ((kinds & kind) != 0)
            {
                sentences.Add(kind switch
                {
                    CertificateProblemKinds.NameMismatch when names is not null => $"{sentence} {names}",
                    CertificateProblemKinds.UntrustedRoot when trustStore is not null => $"The certificate was issued by an authority that is {trustStore.Absence}.",
                    CertificateProblemKinds.PartialChain when trustStore is not null =>
                        $"The certificate's issuer could not be found: the server did not send it and it is {trustStore.Absence}, so where the certificate comes from cannot be checked.",
                    _ => sentence,
                });
            }
        }

        if ((kinds & ~known) != 0)
        {
            sentences.Add($"The certificate has a problem this version does not describe (code {(int)(kinds & ~known)}).");
        }

        return [.. sentences];
    }

    /// <summary>A short list of the kinds present, such as "expired, untrusted root".</summary>
    public static string ShortList(CertificateProblemKinds kinds)
    {
        var text = new StringBuilder();
        CertificateProblemKinds known = CertificateProblemKinds.None;
        foreach ((CertificateProblemKinds kind, string name, _) in Table)
        {
            known |= kind;
            if ((kinds & kind) != 0)
            {
                Append(text, name);
            }
        }

        if ((kinds & ~known) != 0)
        {
            Append(text, $"problem code {(int)(kinds & ~known)}");
        }

        return text.Length == 0 ? "no problem" : text.ToString();

        static void Append(StringBuilder text, string item)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(item);
        }
    }
}
