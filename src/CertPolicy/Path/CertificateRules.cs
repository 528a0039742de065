using System.Net;

namespace CertPolicy;

/// <summary>
/// The profile rules a certificate must meet in its role: the leaf (a TLS server or client certificate under RFC 5280
/// and the CA/Browser Forum Baseline Requirements) or an issuer (an intermediate or a trust anchor).
/// </summary>
internal static class CertificateRules
{
    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Purposes a TLS server certificate must not carry beside serverAuth (CABF BR 7.1.2.7.10).</summary>
    private static readonly string[] ForbiddenBesideServerAuthentication =
    [
        Oids.PrecertificateSigning, Oids.CodeSigning, Oids.EmailProtection, Oids.TimeStamping, Oids.OcspSigning,
    ];

    /// <summary>Purposes an S/MIME certificate must not carry beside emailProtection (S/MIME BR 7.1.2.2 (g), 7.1.2.3 (f)).</summary>
    private static readonly string[] ForbiddenBesideEmailProtection =
    [
        Oids.PrecertificateSigning, Oids.ServerAuthentication, Oids.CodeSigning, Oids.TimeStamping, Oids.OcspSigning,
    ];

    /// <summary>The rules every certificate in a path must meet, whatever its role.</summary>
    public static void CheckCommon(ParsedCertificate certificate, int position, bool isAnchor, ValidationSettings settings, List<PathProblem> problems)
    {
        foreach (CertificateDefect defect in certificate.Defects)
        {
            problems.Add(new(defect.Kind, position, defect.Message));
        }

        CheckValidity(certificate, position, settings, problems);

        // Trust anchors are trusted by configuration; a few long-lived roots predate the serial number rules.
        if (!isAnchor && SerialNumberProblem(certificate.SerialNumber.Span) is { } serialProblem)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, serialProblem));
        }

        // RFC 5280 4.2.1.1: every certificate names the key that signed it, except a self-signed one. That presence
        // rule binds the CA that issued the certificate; a trust anchor is trusted for its own name and key, whoever
        // issued it (a cross-signed root is often an anchor too), so it is not applied to anchors. The form of an AKI
        // that is present (keyIdentifier included, CABF BR 7.1.2.1.3 for roots) is.
        if (certificate.AuthorityKeyIdentifier is { } aki)
        {
            if (aki.KeyIdentifier is null)
            {
                problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "authorityKeyIdentifier has no keyIdentifier."));
            }
        }
        else if (!certificate.IsSelfIssued && !isAnchor)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The certificate has no authorityKeyIdentifier, which every certificate that is not self-signed must have."));
        }
    }

    /// <summary>The rules of the leaf (end-entity) certificate.</summary>
    /// <param name="leaf">The leaf.</param>
    /// <param name="isDirectlyTrusted">True when the leaf itself is a trust anchor.</param>
    /// <param name="checksServerIdentity">True when the leaf is judged as a server's certificate for a host name or address.</param>
    /// <param name="settings">The validation's settings.</param>
    /// <param name="problems">Where problems are added.</param>
    public static void CheckLeaf(ParsedCertificate leaf, bool isDirectlyTrusted, bool checksServerIdentity, ValidationSettings settings, List<PathProblem> problems)
    {
        CheckCommon(leaf, 0, isAnchor: false, settings, problems);

        if (leaf.IsCertificateAuthority && !isDirectlyTrusted)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, "The leaf is a CA certificate (basicConstraints cA is TRUE); an end-entity certificate must not be."));
        }

        if (leaf.NameConstraints is not null)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, "The leaf carries nameConstraints, which only CA certificates may carry."));
        }

        if (leaf.KeyUsage is { } usage && !usage.Has(KeyUsageBits.KeyCertSign) &&
            (usage.Bits & (KeyUsageBits.DigitalSignature | KeyUsageBits.KeyEncipherment | KeyUsageBits.KeyAgreement)) == 0 &&
            usage.Bits != KeyUsageBits.None)
        {
            problems.Add(new(CertificateProblemKinds.InvalidKeyUsage, 0, "keyUsage allows neither digitalSignature, keyEncipherment nor keyAgreement, so the key cannot authenticate a TLS peer."));
        }

        if (leaf.SubjectAlternativeNameExtension is { } san)
        {
            if (leaf.Subject.IsEmpty && !san.Critical)
            {
                problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, "The subject is empty, so subjectAltName must be marked critical."));
            }
            else if (!leaf.Subject.IsEmpty && san.Critical)
            {
                problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, "subjectAltName is marked critical although the subject is not empty (CABF BR 7.1.2.7.12, S/MIME BR 7.1.2.3 (h))."));
            }
        }
        else if (leaf.Subject.IsEmpty)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, "The certificate names nobody: its subject is empty and it has no subjectAltName."));
        }

        CheckLeafExtendedKeyUsage(leaf, settings, problems);
        if (checksServerIdentity)
        {
            CheckCommonName(leaf, problems);
        }
    }

    /// <summary>The rules of a certificate used to issue the one below it: an intermediate or a trust anchor.</summary>
    /// <param name="issuer">The issuer.</param>
    /// <param name="position">Its position in the path.</param>
    /// <param name="isAnchor">True when it is a trust anchor.</param>
    /// <param name="anchorProfile">For an anchor, the profile its trust store holds it to.</param>
    /// <param name="settings">The validation's settings.</param>
    /// <param name="problems">Where problems are added.</param>
    public static void CheckIssuer(ParsedCertificate issuer, int position, bool isAnchor, TrustAnchorProfile anchorProfile, ValidationSettings settings, List<PathProblem> problems)
    {
        if (isAnchor && anchorProfile == TrustAnchorProfile.NameAndKey)
        {
            CheckNameAndKeyAnchor(issuer, position, settings, problems);
            return;
        }

        CheckCommon(issuer, position, isAnchor, settings, problems);

        if (issuer.BasicConstraints is not { } basic)
        {
            problems.Add(new(CertificateProblemKinds.NotCertificateAuthority, position, "The issuer has no basicConstraints extension, so it is not a CA."));
        }
        else if (!basic.IsCertificateAuthority)
        {
            problems.Add(new(CertificateProblemKinds.NotCertificateAuthority, position, "The issuer's basicConstraints does not assert cA, so it may not issue certificates."));
        }
        else if (!basic.Critical)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The issuer's basicConstraints is not marked critical; in a CA certificate it must be."));
        }

        if (issuer.KeyUsage is { } usage && !usage.Has(KeyUsageBits.KeyCertSign))
        {
            problems.Add(new(CertificateProblemKinds.InvalidKeyUsage, position, "The issuer's keyUsage does not allow keyCertSign."));
        }

        if (issuer.SubjectKeyIdentifier is null)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The CA certificate has no subjectKeyIdentifier, which every CA certificate must have."));
        }

        if (issuer.Subject.IsEmpty)
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The CA certificate's subject is empty."));
        }

        if (issuer.AuthorityKeyIdentifier is { } aki && (aki.HasIssuer || aki.HasSerialNumber))
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The CA certificate's authorityKeyIdentifier names an issuer and serial number; only keyIdentifier is allowed (CABF BR 7.1.2.1.3)."));
        }

        if (issuer.ExtendedKeyUsage is { } eku)
        {
            if (eku.Critical)
            {
                problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The CA certificate's extendedKeyUsage is marked critical; it must not be."));
            }

            if (isAnchor && issuer.IsSelfIssued)
            {
                problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The root certificate carries extendedKeyUsage, which a root must not (CABF BR 7.1.2.1.2)."));
            }
            else if (settings.RequiresEmailProtection)
            {
                // S/MIME subordinate CAs name emailProtection explicitly and nothing of another PKI (S/MIME BR 7.1.2.2 (g)).
                CheckPurposes(eku, position, "CA certificate", settings, problems);
            }
            else if (settings.RequiredExtendedKeyUsage is { } required && !eku.Contains(required) && !eku.Contains(Oids.AnyExtendedKeyUsage))
            {
                problems.Add(new(CertificateProblemKinds.MissingExtendedKeyUsage, position, $"The CA certificate's extendedKeyUsage does not include {PurposeName(required)}, so it may not issue certificates for that purpose."));
            }
        }

        if (settings.RequiresEmailProtection && !isAnchor && issuer.KeyUsage is { } crlUsage && !crlUsage.Has(KeyUsageBits.CrlSign))
        {
            problems.Add(new(CertificateProblemKinds.InvalidKeyUsage, position, "An S/MIME CA certificate's keyUsage must allow cRLSign (S/MIME BR 7.1.2.2 (e))."));
        }

        // A self-signed root that names its own key must name the right one.
        if (isAnchor && issuer.IsSelfIssued &&
            issuer.AuthorityKeyIdentifier?.KeyIdentifier is { } keyIdentifier &&
            issuer.SubjectKeyIdentifier is { } subjectKeyIdentifier &&
            !keyIdentifier.Span.SequenceEqual(subjectKeyIdentifier.Span) &&
            IsSelfSigned(issuer))
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, position, "The self-signed root's authorityKeyIdentifier differs from its subjectKeyIdentifier."));
        }
    }

    /// <summary>
    /// A trust anchor held to its name and key (RFC 5280 6.1.1 (d)): only what it constrains applies, its validity
    /// period and defects that hide a constraint (pathLenConstraint and name constraints are applied by the path
    /// builder). The certificate profile is not: its vendor vouched for it.
    /// </summary>
    private static void CheckNameAndKeyAnchor(ParsedCertificate anchor, int position, ValidationSettings settings, List<PathProblem> problems)
    {
        foreach (CertificateDefect defect in anchor.Defects)
        {
            if (defect.MayConstrain)
            {
                problems.Add(new(defect.Kind, position, defect.Message));
            }
        }

        CheckValidity(anchor, position, settings, problems);
    }

    private static void CheckValidity(ParsedCertificate certificate, int position, ValidationSettings settings, List<PathProblem> problems)
    {
        if (!settings.HasReached(certificate.NotBefore))
        {
            problems.Add(new(CertificateProblemKinds.NotYetValid, position, $"The certificate is not valid before {certificate.NotBefore:u}; the validation time is {settings.Time:u}."));
        }

        if (!settings.HasNotPassed(certificate.NotAfter))
        {
            problems.Add(new(CertificateProblemKinds.Expired, position, $"The certificate expired at {certificate.NotAfter:u}; the validation time is {settings.Time:u}."));
        }
    }

    /// <summary>True when the certificate's signature verifies with its own key.</summary>
    public static bool IsSelfSigned(ParsedCertificate certificate) =>
        SignatureAlgorithm.TryResolve(certificate.SignatureAlgorithm, out SignatureAlgorithm algorithm, out _) &&
        certificate.Verifier.Verify(certificate.TbsCertificate.Span, certificate.Signature.Span, algorithm, out _) == SignatureCheck.Valid;

    /// <summary>A readable name for a purpose's identifier.</summary>
    public static string PurposeName(string oid) => oid switch
    {
        Oids.ServerAuthentication => "serverAuth",
        Oids.ClientAuthentication => "clientAuth",
        Oids.CodeSigning => "codeSigning",
        Oids.EmailProtection => "emailProtection",
        Oids.TimeStamping => "timeStamping",
        Oids.OcspSigning => "OCSPSigning",
        Oids.AnyExtendedKeyUsage => "anyExtendedKeyUsage",
        Oids.PrecertificateSigning => "Precertificate Signing",
        _ => oid,
    };

    private static void CheckLeafExtendedKeyUsage(ParsedCertificate leaf, ValidationSettings settings, List<PathProblem> problems)
    {
        if (leaf.ExtendedKeyUsage is { Critical: true })
        {
            problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, "The leaf's extendedKeyUsage is marked critical; it must not be."));
        }

        string? required = settings.RequiredExtendedKeyUsage;
        if (leaf.ExtendedKeyUsage is not { } eku)
        {
            // The extension's presence is a rule of the subscriber certificate profile, whatever the purpose.
            problems.Add(new(CertificateProblemKinds.MissingExtendedKeyUsage, 0, required is null
                ? "The leaf has no extendedKeyUsage extension, which a subscriber certificate must have (CABF BR 7.1.2.7.10)."
                : $"The leaf has no extendedKeyUsage extension; it must list {PurposeName(required)} (CABF BR 7.1.2.7.10)."));
            return;
        }

        if (required is null)
        {
            // Any purpose: whatever the extension lists is accepted.
            return;
        }

        CheckPurposes(eku, 0, "leaf", settings, problems);
        if (settings.RequiresEmailProtection)
        {
            // The S/MIME profile (S/MIME BR 7.1.2.3 (e), 7.1.4.2.1): keyUsage present (it SHALL be; that it is
            // critical is only a SHOULD, so a non-critical one is accepted), and a mailbox among the names.
            if (leaf.KeyUsage is null)
            {
                problems.Add(new(CertificateProblemKinds.InvalidKeyUsage, 0, "An S/MIME certificate must have a keyUsage extension."));
            }

            if (!leaf.SubjectAlternativeNames.Any(n => n.Kind == GeneralNameKind.Rfc822Name))
            {
                problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, "An S/MIME certificate's subjectAltName must name a mailbox (rfc822Name)."));
            }
        }
    }

    /// <summary>The required purpose must be listed explicitly, anyExtendedKeyUsage not at all, nor purposes of another PKI.</summary>
    private static void CheckPurposes(ExtendedKeyUsageExtension eku, int position, string role, ValidationSettings settings, List<PathProblem> problems)
    {
        string required = settings.RequiredExtendedKeyUsage!;
        if (!eku.Contains(required))
        {
            problems.Add(new(CertificateProblemKinds.MissingExtendedKeyUsage, position, $"The {role}'s extendedKeyUsage does not list {PurposeName(required)}."));
        }

        if (eku.Contains(Oids.AnyExtendedKeyUsage) && !string.Equals(required, Oids.AnyExtendedKeyUsage, StringComparison.Ordinal))
        {
            problems.Add(new(CertificateProblemKinds.MissingExtendedKeyUsage, position, $"The {role}'s extendedKeyUsage lists anyExtendedKeyUsage, which it must not."));
        }

        string[] forbidden = settings.RequiresServerAuthentication ? ForbiddenBesideServerAuthentication
            : settings.RequiresEmailProtection ? ForbiddenBesideEmailProtection
            : [];
        foreach (string purpose in forbidden)
        {
            if (eku.Contains(purpose))
            {
                problems.Add(new(CertificateProblemKinds.MissingExtendedKeyUsage, position, $"The {role}'s extendedKeyUsage lists {PurposeName(purpose)}, which must not be combined with {PurposeName(required)}."));
            }
        }
    }

    /// <summary>
    /// CABF BR 7.1.4.3: a subject commonName that denotes one of the certificate's subjectAltName identities must be a
    /// character-for-character copy of the dNSName, or the canonical text (RFC 3986 / RFC 5952) of the iPAddress. A
    /// differently encoded copy (other letter case, Unicode instead of punycode, leading zeros, hexadecimal, upper-case
    /// or uncompressed IPv6) is refused, because software that still reads the common name could match it differently
    /// than the subjectAltName says. A common name that denotes no subjectAltName entry is ignored: this library never
    /// uses the common name as an identity.
    /// </summary>
    private static void CheckCommonName(ParsedCertificate leaf, List<PathProblem> problems)
    {
        if (leaf.DnsNames.Count == 0 && leaf.IPAddresses.Count == 0)
        {
            return;
        }

        List<string> commonNames = leaf.Subject.ValuesOf(Oids.CommonName);
        if (commonNames.Count == 0)
        {
            return;
        }

        // Sets, so that a certificate with thousands of names and common names costs linear time.
        var exact = new HashSet<string>(leaf.DnsNames, StringComparer.Ordinal);
        var ignoringCase = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string dnsName in leaf.DnsNames)
        {
            ignoringCase.TryAdd(dnsName, dnsName);
        }

        var addresses = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ReadOnlyMemory<byte> address in leaf.IPAddresses)
        {
            if (address.Length is 4 or 16)
            {
                string text = new IPAddress(address.Span).ToString();
                addresses.TryAdd(Convert.ToHexString(address.Span), text);
                exact.Add(text);
            }
        }

        foreach (string commonName in commonNames)
        {
            if (DeniesCopy(commonName, exact, ignoringCase, addresses) is { } denoted)
            {
                problems.Add(new(CertificateProblemKinds.NonConformingCertificate, 0, $"The subject commonName \"{commonName}\" denotes \"{denoted}\" but is not a character-for-character copy of a subjectAltName entry (CABF BR 7.1.4.3)."));
                return;
            }
        }
    }

    /// <summary>The subjectAltName entry the common name denotes without being an exact copy of it, or null.</summary>
    private static string? DeniesCopy(string commonName, HashSet<string> exact, Dictionary<string, string> dnsIgnoringCase, Dictionary<string, string> addresses)
    {
        if (exact.Contains(commonName))
        {
            return null;
        }

        string ascii = commonName;
        if (!System.Text.Ascii.IsValid(commonName))
        {
            // A domain name in Unicode can never be a copy of a dNSName, which holds A-labels (CABF: P-Labels MUST
            // NOT be converted to their Unicode representation).
            try
            {
                ascii = new System.Globalization.IdnMapping().GetAscii(commonName);
            }
            catch (ArgumentException)
            {
                return null;
            }

            if (dnsIgnoringCase.Count > 0 && ascii.Contains('.', StringComparison.Ordinal) && NameSyntax.IsDnsName(ascii, allowWildcard: true))
            {
                return ascii;
            }
        }

        if (dnsIgnoringCase.TryGetValue(ascii, out string? dnsName))
        {
            return dnsName;
        }

        if (LooksLikeAddress(commonName) && IPAddress.TryParse(commonName, out IPAddress? parsed) &&
            addresses.TryGetValue(Convert.ToHexString(parsed.GetAddressBytes()), out string? canonical))
        {
            return canonical;
        }

        return null;
    }

    /// <summary>True for text written as an IP address: IPv6 (with colons), dotted decimal, or a hexadecimal number.</summary>
    private static bool LooksLikeAddress(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return true;
        }

        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return text.Length > 2 && !text.AsSpan(2).ContainsAnyExcept(HexDigits);
        }

        string[] parts = text.Split('.');
        return parts.Length == 4 && Array.TrueForAll(parts, p => p.Length > 0 && !p.AsSpan().ContainsAnyExceptInRange('0', '9'));
    }

    private static string? SerialNumberProblem(ReadOnlySpan<byte> serial)
    {
        if ((serial[0] & 0x80) != 0)
        {
            return "The serial number is negative.";
        }

        ReadOnlySpan<byte> magnitude = serial[0] == 0 && serial.Length > 1 ? serial[1..] : serial;
        if (magnitude.Length == 1 && magnitude[0] == 0)
        {
            return "The serial number is zero.";
        }

        return magnitude.Length > 20 ? $"The serial number is {magnitude.Length} octets long; at most 20 are allowed." : null;
    }
}
