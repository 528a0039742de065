using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Fuzzing;

/// <summary>
/// The DER certificate parser and the validator. The first input byte picks the slot (even: the leaf, odd: the
/// intermediate of the fixed valid chain); the rest are the certificate's bytes. They are judged through both
/// <c>Validate</c> overloads (the X509Certificate2 one when the platform can load the bytes), with the leaf's host name,
/// and without identity.
/// </summary>
/// <remarks>
/// Contract: no exception (the validator never throws for certificate input); the report is well formed; the
/// chain is valid only when the bytes are exactly the fixed certificate of that slot (no other bytes carry its
/// signature); and both overloads agree.
/// </remarks>
internal sealed class CertificateTarget : FuzzTarget
{
    private readonly ServerIdentity _identity = ServerIdentity.Create(FuzzFixtures.HostName);
    private readonly CertificateValidator _validator;
    private readonly X509Certificate2 _leaf = X509CertificateLoader.LoadCertificate(FuzzFixtures.Leaf);
    private readonly X509Certificate2 _intermediate = X509CertificateLoader.LoadCertificate(FuzzFixtures.Intermediate);

    public CertificateTarget(TimeSpan callBound)
        : base(callBound)
    {
        // The expected subject adds the legacy verdict (and its rule) beside the modern one, which still decides.
        _validator = new CertificateValidator(
            new CertificateValidatorOptions { TrustStore = FuzzFixtures.RootStore(), ExpectedSubject = FuzzFixtures.HostName },
            FuzzFixtures.Clock);
        ValidationReport fixedChain = _validator.Validate([FuzzFixtures.Leaf, FuzzFixtures.Intermediate], _identity);
        if (!fixedChain.IsValid)
        {
            throw new InvalidOperationException($"The fixed fuzz chain is not valid: {string.Join("; ", fixedChain.Verdict.Problems)}");
        }
    }

    public override string Name => "certificate";

    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        bool asLeaf = (input[0] & 1) == 0;
        byte[] fuzzed = input[1..].ToArray();
        byte[] genuine = asLeaf ? FuzzFixtures.Leaf : FuzzFixtures.Intermediate;
        bool same = fuzzed.AsSpan().SequenceEqual(genuine);
        string slot = asLeaf ? "leaf" : "intermediate";
        ReadOnlyMemory<byte>[] chain = asLeaf ? [fuzzed, FuzzFixtures.Intermediate] : [FuzzFixtures.Leaf, fuzzed];

        ValidationReport withIdentity = Timed("Validate(bytes, identity)", () => _validator.Validate(chain, _identity));
        Check(withIdentity, chain, same, slot, "Validate(bytes, identity)");

        ValidationReport withoutIdentity = Timed("ValidateWithoutIdentity(bytes)", () => _validator.ValidateWithoutIdentity(chain));
        Check(withoutIdentity, chain, same, slot, "ValidateWithoutIdentity(bytes)");
        Require(withoutIdentity.Identity is null, "ValidateWithoutIdentity: the report names an identity.");

        X509Certificate2? loaded;
        try
        {
            loaded = X509CertificateLoader.LoadCertificate(fuzzed);
        }
        catch (CryptographicException)
        {
            return; // The platform cannot load these bytes, so no caller can hand them to the X509Certificate2 overload.
        }

        using (loaded)
        {
            ValidationReport viaPlatform = Timed(
                "Validate(X509Certificate2, intermediates, identity)",
                () => asLeaf ? _validator.Validate(loaded, [_intermediate], _identity) : _validator.Validate(_leaf, [loaded], _identity));
            ReadOnlyMemory<byte>[] loadedChain = asLeaf ? [loaded.RawData, FuzzFixtures.Intermediate] : [FuzzFixtures.Leaf, loaded.RawData];
            Check(viaPlatform, loadedChain, loaded.RawData.AsSpan().SequenceEqual(genuine), slot, "Validate(X509Certificate2, intermediates, identity)");

            ValidationReport viaBytes = loaded.RawData.AsSpan().SequenceEqual(fuzzed)
                ? withIdentity
                : Timed("Validate(bytes, identity)", () => _validator.Validate(loadedChain, _identity));
            Require(
                viaPlatform.IsValid == viaBytes.IsValid && viaPlatform.Modern.Kinds == viaBytes.Modern.Kinds,
                $"The two Validate overloads disagree on the same bytes: {viaPlatform.Modern.Kinds} against {viaBytes.Modern.Kinds}.");
        }
    }

    private static void Check(ValidationReport report, IReadOnlyList<ReadOnlyMemory<byte>> chain, bool same, string slot, string call)
    {
        ReportContract.Check(report, chain, call);
        Require(
            same || !report.IsValid,
            $"{call}: the chain is valid with bytes in the {slot} slot that are not the fixed {slot} ({report.Certificate}).");
        Require(!same || report.IsValid, $"{call}: the fixed chain is not valid: {string.Join("; ", report.Verdict.Problems)}.");
    }
}
