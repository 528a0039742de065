namespace CertPolicy.Fuzzing;

/// <summary>
/// The CRL parser and revocation checking: the input is the intermediate's CRL, given with the root's genuine CRL,
/// and the fixed valid chain is validated against them.
/// </summary>
/// <remarks>
/// Contract: no exception (a CRL that cannot be used is ignored, never thrown about); the report is well formed;
/// the chain is valid only with the intermediate's genuine empty CRL (any other bytes leave the leaf's status
/// unknown, which fails closed); and the leaf is reported revoked only by the genuine CRL that revokes it (nothing
/// else carries the intermediate's signature).
/// </remarks>
internal sealed class CrlTarget : FuzzTarget
{
    private readonly TrustStore _store = FuzzFixtures.RootStore();
    private readonly ServerIdentity _identity = ServerIdentity.Create(FuzzFixtures.HostName);
    private readonly ReadOnlyMemory<byte>[] _chain = [FuzzFixtures.Leaf, FuzzFixtures.Intermediate];

    public CrlTarget(TimeSpan callBound)
        : base(callBound)
    {
    }

    public override string Name => "crl";

    public override void Run(ReadOnlySpan<byte> input)
    {
        byte[] crl = input.ToArray();
        var options = new CertificateValidatorOptions { TrustStore = _store };
        options.RevocationLists.Add(FuzzFixtures.RootCrl);
        options.RevocationLists.Add(crl);
        CertificateValidator validator = Timed("new CertificateValidator(RevocationLists)", () => new CertificateValidator(options, FuzzFixtures.Clock));

        ValidationReport report = Timed("Validate with the CRL", () => validator.Validate(_chain, _identity));
        ReportContract.Check(report, _chain, "Validate with the CRL");

        bool genuineEmpty = crl.AsSpan().SequenceEqual(FuzzFixtures.IntermediateCrl);
        bool genuineRevoking = crl.AsSpan().SequenceEqual(FuzzFixtures.RevokingCrl);
        Require(report.IsValid == genuineEmpty, genuineEmpty
            ? $"The fixed chain with its genuine CRLs is not valid: {string.Join("; ", report.Verdict.Problems)}."
            : "The chain is valid with an intermediate CRL that is not the genuine one: the leaf's status cannot be known.");
        bool revoked = report.Modern.Kinds.HasFlag(CertificateProblemKinds.Revoked);
        Require(revoked == genuineRevoking, genuineRevoking
            ? $"The genuine revoking CRL did not revoke the leaf: {report.Modern.Kinds}."
            : $"The leaf is reported revoked by a CRL that is not the genuine revoking one: {string.Join("; ", report.Modern.Problems)}.");
    }
}
