namespace CertPolicy;

/// <summary>The verdict of one validation mode: valid or not, and every problem found.</summary>
public sealed class ValidationVerdict
{
    /// <summary>Creates a verdict from the problems found; it is valid when there are none.</summary>
    /// <param name="problems">Every problem found; empty for a valid certificate.</param>
    public ValidationVerdict(IEnumerable<CertificateProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        CertificateProblem[] list = [.. problems];
        CertificateProblemKinds kinds = CertificateProblemKinds.None;
        foreach (CertificateProblem problem in list)
        {
            ArgumentNullException.ThrowIfNull(problem, nameof(problems));
            kinds |= problem.Kind;
        }

        Problems = list;
        Kinds = kinds;
    }

    /// <summary>A verdict with no problem.</summary>
    public static ValidationVerdict Valid { get; } = new([]);

    /// <summary>True when no problem was found.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>The union of the kinds of every problem found.</summary>
    public CertificateProblemKinds Kinds { get; }

    /// <summary>Every problem found, in the order found.</summary>
    public IReadOnlyList<CertificateProblem> Problems { get; }
}
