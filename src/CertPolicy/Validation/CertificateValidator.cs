using System.Security.Cryptography.X509Certificates;

namespace CertPolicy;

/// <summary>
/// Judges a server's certificates: the modern verdict (identity, validity, path to a trusted root) and, when an
/// expected subject is configured, the legacy verdict beside it. Thread-safe; create one per endpoint profile.
/// </summary>
public sealed class CertificateValidator
{
    /// <summary>Creates a validator.</summary>
    /// <param name="options">The settings; copied, and checked with <see cref="CertificateValidatorOptions.Validate"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public CertificateValidator(CertificateValidatorOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        TimeProvider = timeProvider ?? TimeProvider.System;
        TrustStore = options.TrustStore;
        Mode = options.Mode;
        ExpectedSubject = options.ExpectedSubject;
        ClockSkew = options.ClockSkew;
    }

    /// <summary>How far the clock may be off when validity periods are checked.</summary>
    public TimeSpan ClockSkew { get; }

    /// <summary>The clock this validator reads.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The trust store this validator builds paths to.</summary>
    public TrustStore TrustStore { get; }

    /// <summary>Which verdict decides validity.</summary>
    public ValidationMode Mode { get; }

    /// <summary>The subject common name legacy agents expect, if any.</summary>
    public string? ExpectedSubject { get; }

    /// <summary>Validates the certificates a server sent, leaf first, for the identity the agent expects.</summary>
    /// <param name="peerCertificates">The DER of each certificate the server sent, leaf first. May be empty (reported as <see cref="CertificateProblemKinds.NoCertificate"/>).</param>
    /// <param name="identity">The server the agent meant to reach.</param>
    /// <returns>The report; never throws for bad certificate input.</returns>
    public ValidationReport Validate(IReadOnlyList<ReadOnlyMemory<byte>> peerCertificates, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(peerCertificates);
        ArgumentNullException.ThrowIfNull(identity);
        throw new NotImplementedException($"Validation in {Mode} mode is not built yet.");
    }

    /// <summary>Validates a leaf and the intermediates the server sent with it, for the identity the agent expects.</summary>
    /// <param name="leaf">The server's certificate.</param>
    /// <param name="intermediates">Other certificates the server sent, in any order; null for none.</param>
    /// <param name="identity">The server the agent meant to reach.</param>
    /// <returns>The report; never throws for bad certificate input.</returns>
    public ValidationReport Validate(X509Certificate2 leaf, IEnumerable<X509Certificate2>? intermediates, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(identity);
        List<ReadOnlyMemory<byte>> der = [leaf.RawDataMemory];
        if (intermediates is not null)
        {
            foreach (X509Certificate2 certificate in intermediates)
            {
                ArgumentNullException.ThrowIfNull(certificate, nameof(intermediates));
                der.Add(certificate.RawDataMemory);
            }
        }

        return Validate(der, identity);
    }
}
