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

    /// <summary>The work that was refused first, once <see cref="IsExhausted"/> is true.</summary>
    public string? RefusedWork { get; private set; }

    /// <summary>What the validation did and which work broke the budget, for the <c>WorkBudgetExceeded</c> report.</summary>
    public string Describe() =>
        $"Path building gave up after {SignatureChecks} signature check(s), {Candidates} candidate issuer(s) and {NameComparisons} name comparison(s): {RefusedWork ?? "the budget was spent"}";

    /// <summary>Takes one signature check, or reports the budget spent.</summary>
    public bool TryChargeSignatureCheck()
    {
        if (SignatureChecks >= MaxSignatureChecks)
        {
            Refuse($"one more signature check would exceed the limit of {MaxSignatureChecks}");
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
            Refuse($"one more candidate issuer would exceed the limit of {MaxCandidates}");
            return false;
        }

        Candidates++;
        return true;
    }

    /// <summary>Takes the comparisons of a certificate's names with a CA's subtrees, or reports the budget spent (without taking them) and records what asked.</summary>
    /// <param name="names">How many names the certificate has.</param>
    /// <param name="subtrees">How many subtrees the constraints have.</param>
    /// <param name="subject">The subject of the certificate whose names are checked, for the report.</param>
    public bool TryChargeNameComparisons(int names, int subtrees, DistinguishedName subject)
    {
        long comparisons = (long)names * subtrees;
        if (NameComparisons + comparisons > MaxNameComparisons)
        {
            Refuse($"checking {names} name(s) of \"{subject}\" against {subtrees} name-constraint subtree(s) needs {comparisons} comparison(s), which with the {NameComparisons} already made exceeds the limit of {MaxNameComparisons}");
            return false;
        }

        NameComparisons += comparisons;
        return true;
    }

    private void Refuse(string work)
    {
        IsExhausted = true;
        RefusedWork ??= work;
    }
}
