namespace CertPolicy;

/// <summary>The object identifiers the parser and the path builder recognise, in dotted form.</summary>
internal static class Oids
{
    // Public key algorithms.
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string RsaPss = "1.2.840.113549.1.1.10";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Dsa = "1.2.840.10040.4.1";
    public const string Ed25519 = "1.3.101.112";
    public const string Ed448 = "1.3.101.113";
    public const string MLDsa44 = "2.16.840.1.101.3.4.3.17";
    public const string MLDsa65 = "2.16.840.1.101.3.4.3.18";
    public const string MLDsa87 = "2.16.840.1.101.3.4.3.19";

    // Named curves.
    public const string Secp192r1 = "1.2.840.10045.3.1.1";
    public const string Secp256r1 = "1.2.840.10045.3.1.7";
    public const string Secp384r1 = "1.3.132.0.34";
    public const string Secp521r1 = "1.3.132.0.35";

    // Signature algorithms.
    public const string Sha1WithRsa = "1.2.840.113549.1.1.5";
    public const string Sha256WithRsa = "1.2.840.113549.1.1.11";
    public const string Sha384WithRsa = "1.2.840.113549.1.1.12";
    public const string Sha512WithRsa = "1.2.840.113549.1.1.13";
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";
    public const string EcdsaWithSha384 = "1.2.840.10045.4.3.3";
    public const string EcdsaWithSha512 = "1.2.840.10045.4.3.4";
    public const string Mgf1 = "1.2.840.113549.1.1.8";

    // Hash algorithms.
    public const string Sha256 = "2.16.840.1.101.3.4.2.1";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
    public const string Sha512 = "2.16.840.1.101.3.4.2.3";

    // Certificate extensions.
    public const string SubjectKeyIdentifier = "2.5.29.14";
    public const string KeyUsage = "2.5.29.15";
    public const string SubjectAlternativeName = "2.5.29.17";
    public const string IssuerAlternativeName = "2.5.29.18";
    public const string BasicConstraints = "2.5.29.19";
    public const string NameConstraints = "2.5.29.30";
    public const string CrlDistributionPoints = "2.5.29.31";
    public const string CertificatePolicies = "2.5.29.32";
    public const string PolicyMappings = "2.5.29.33";
    public const string AuthorityKeyIdentifier = "2.5.29.35";
    public const string PolicyConstraints = "2.5.29.36";
    public const string ExtendedKeyUsage = "2.5.29.37";
    public const string FreshestCrl = "2.5.29.46";
    public const string InhibitAnyPolicy = "2.5.29.54";
    public const string AuthorityInformationAccess = "1.3.6.1.5.5.7.1.1";
    public const string SubjectInformationAccess = "1.3.6.1.5.5.7.1.11";

    // CRL extensions.
    public const string CrlNumber = "2.5.29.20";
    public const string DeltaCrlIndicator = "2.5.29.27";
    public const string IssuingDistributionPoint = "2.5.29.28";
    public const string CrlReasonCode = "2.5.29.21";
    public const string InvalidityDate = "2.5.29.24";
    public const string CertificateIssuer = "2.5.29.29";

    // Extended key usages.
    public const string AnyExtendedKeyUsage = "2.5.29.37.0";
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    public const string CodeSigning = "1.3.6.1.5.5.7.3.3";
    public const string EmailProtection = "1.3.6.1.5.5.7.3.4";
    public const string TimeStamping = "1.3.6.1.5.5.7.3.8";
    public const string OcspSigning = "1.3.6.1.5.5.7.3.9";
    public const string PrecertificateSigning = "1.3.6.1.4.1.11129.2.4.4";

    // Name attributes.
    public const string CommonName = "2.5.4.3";
    public const string EmailAddress = "1.2.840.113549.1.9.1";
}
