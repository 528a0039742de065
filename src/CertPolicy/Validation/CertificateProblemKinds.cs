namespace CertPolicy;

/// <summary>
/// The kinds of problem a validation can find. A report carries the union of the kinds it found in
/// <see cref="ValidationVerdict.Kinds"/>, and one <see cref="CertificateProblem"/> per finding.
/// </summary>
[Flags]
public enum CertificateProblemKinds
{
    /// <summary>No problem.</summary>
    None = 0,

    /// <summary>The peer sent no certificate.</summary>
    NoCertificate = 1 << 0,

    /// <summary>A certificate (or a CRL) could not be decoded as DER, or breaks the X.509 syntax.</summary>
    MalformedCertificate = 1 << 1,

    /// <summary>The leaf names neither the DNS name nor the IP address the agent connected to.</summary>
    NameMismatch = 1 << 2,

    /// <summary>A certificate in the path is past its notAfter time.</summary>
    Expired = 1 << 3,

    /// <summary>A certificate in the path is before its notBefore time.</summary>
    NotYetValid = 1 << 4,

    /// <summary>The path ends in a certificate that is not in the trust store.</summary>
    UntrustedRoot = 1 << 5,

    /// <summary>No issuer could be found for a certificate: the path stops before any root.</summary>
    PartialChain = 1 << 6,

    /// <summary>A signature in the path does not verify.</summary>
    BadSignature = 1 << 7,

    /// <summary>A certificate used as an issuer is not a certification authority (basicConstraints cA).</summary>
    NotCertificateAuthority = 1 << 8,

    /// <summary>An issuer's pathLenConstraint is exceeded.</summary>
    PathLengthExceeded = 1 << 9,

    /// <summary>A key usage forbids the certificate's role (keyCertSign on issuers, digitalSignature or keyEncipherment on the leaf, cRLSign on CRL issuers).</summary>
    InvalidKeyUsage = 1 << 10,

    /// <summary>The leaf, or an intermediate that restricts extended key usage, does not allow the required purpose (serverAuth by default).</summary>
    MissingExtendedKeyUsage = 1 << 11,

    /// <summary>A name in the path is outside an issuer's permitted subtrees or inside its excluded subtrees.</summary>
    NameConstraintViolation = 1 << 12,

    /// <summary>The path is longer than the allowed maximum depth.</summary>
    ChainTooLong = 1 << 13,

    /// <summary>Path building gave up when its work budget (signatures checked, candidate paths tried) ran out.</summary>
    WorkBudgetExceeded = 1 << 14,

    /// <summary>A certificate carries a critical extension this library does not process.</summary>
    UnhandledCriticalExtension = 1 << 15,

    /// <summary>A public key is weak or of a forbidden kind (RSA below 2048 bits, DSA, P-192, explicit curve parameters, ...).</summary>
    WeakKey = 1 << 16,

    /// <summary>A signature algorithm is unknown, forbidden, or does not match between the certificate and its TBS part.</summary>
    UnsupportedSignatureAlgorithm = 1 << 17,

    /// <summary>A certificate breaks the RFC 5280 / CA/Browser Forum profile (serial number, key identifiers, version, extension placement, ...).</summary>
    NonConformingCertificate = 1 << 18,

    /// <summary>A supplied certificate revocation list revokes a certificate in the path.</summary>
    Revoked = 1 << 19,

    /// <summary>Revocation lists were supplied but none valid could decide a certificate's status.</summary>
    RevocationStatusUnknown = 1 << 20,

    /// <summary>Legacy mode: the leaf's subject common name is not the expected one.</summary>
    SubjectMismatch = 1 << 21,

    /// <summary>
    /// A notice, never a problem: the server's DNS name was found only in the subject common name of a certificate with
    /// no subjectAltName, and accepted because the profile opted in
    /// (<see cref="CertificateValidatorOptions.AcceptCommonNameWithoutSubjectAltName"/>). Listed in
    /// <see cref="ValidationVerdict.Notices"/>: it neither makes a certificate invalid nor lets an invalid one pass.
    /// </summary>
    NameOnlyInCommonName = 1 << 22,
}
