namespace CertPolicy;

/// <summary>
/// The work one validation may do, so that hostile input (cycles, many issuers with one name, name-constraint
/// blow-up) ends quickly: signature checks, candidate issuers considered, and name comparisons. Once any part runs
/// out, <see cref="IsExhausted"/> stays true and path building stops.
/// </summary>
internal sealed class WorkBudget
{
    /// <summary>Candidate issuers considered per allowed signature check.</summary>
    public const int CandidatesPerSignatureCheck = 8;

    /// <summary>The most name-versus-subtree comparisons one validation may make.</summary>
    public const long MaxNameComparisons = 1 << 18;

    public WorkBudget(int maxSignatureChecks)
    {
        MaxSignatureChecks = maxSignatureChecks;
        MaxCandidates = maxSignatureChecks * CandidatesPerSignatureCheck;
    }

    public int MaxSignatureChecks { get; }

    public int MaxCandidates { get; }

    public int SignatureChecks { get; private set; }

    public int Candidates { get; private set; }

    public long NameComparisons { get; private set; }

    public bool IsExhausted { get; private set; }

    /// <summary>Takes one signature check, or reports the budget spent.</summary>
    public bool TryChargeSignatureCheck()
    {
        if (SignatureChecks >= MaxSignatureChecks)
        {
            IsExhausted = true;
            return false;
        }

        SignatureChecks++;
        return true;
    }

    /// <summary>Takes one candidate issuer, or reports the budget spent.</summary>
    public bool TryChargeCandidate()
    {
        if (Candidates >= MaxCandidates)
        {
            IsExhausted = true;
            return false;
        }

        Candidates++;
        return true;
    }

    /// <summary>Takes name comparisons, or reports the budget spent (without taking them).</summary>
    public bool TryChargeNameComparisons(long comparisons)
    {
        if (NameComparisons + comparisons > MaxNameComparisons)
        {
            IsExhausted = true;
            return false;
        }

        NameComparisons += comparisons;
        return true;
    }
}
