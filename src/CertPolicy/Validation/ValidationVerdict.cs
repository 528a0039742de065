namespace CertPolicy;

/// <summary>
/// The verdict of one validation mode: valid or not, every problem found, and the notices: findings the profile
/// accepts, which are reported but never count as problems.
/// </summary>
/// <remarks>
/// Problems and notices never mix: a notice kind (<see cref="NoticeKindsAllowed"/>, today only
/// <see cref="CertificateProblemKinds.NameOnlyInCommonName"/>) is refused among the problems, and a problem kind among
/// the notices, so a notice can neither make an otherwise valid certificate invalid nor an invalid one valid.
/// </remarks>
public sealed class ValidationVerdict
{
    /// <summary>The kinds that are only ever notices.</summary>
    internal const CertificateProblemKinds NoticeKindsAllowed = CertificateProblemKinds.NameOnlyInCommonName;

    /// <summary>Creates a verdict from the problems found; it is valid when there are none.</summary>
    /// <param name="problems">Every problem found; empty for a valid certificate.</param>
    /// <exception cref="ArgumentException">A problem is of a notice kind (<see cref="CertificateProblemKinds.NameOnlyInCommonName"/>).</exception>
    public ValidationVerdict(IEnumerable<CertificateProblem> problems)
        : this(problems, [])
    {
    }

    /// <summary>Creates a verdict from the problems found and the accepted findings.</summary>
    /// <param name="problems">Every problem found; empty for a valid certificate.</param>
    /// <param name="notices">Findings the profile accepts, of notice kinds only.</param>
    /// <exception cref="ArgumentException">A problem is of a notice kind, or a notice of a problem kind.</exception>
    internal ValidationVerdict(IEnumerable<CertificateProblem> problems, IEnumerable<CertificateProblem> notices)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(notices);
        Problems = Collect(problems, nameof(problems), isNotice: false, out CertificateProblemKinds kinds);
        Notices = Collect(notices, nameof(notices), isNotice: true, out CertificateProblemKinds noticeKinds);
        Kinds = kinds;
        NoticeKinds = noticeKinds;
    }

    /// <summary>A verdict with no problem.</summary>
    public static ValidationVerdict Valid { get; } = new([]);

    /// <summary>True when no problem was found; notices do not count.</summary>
    public bool IsValid => Problems.Count == 0;

    /// <summary>The union of the kinds of every problem found.</summary>
    public CertificateProblemKinds Kinds { get; }

    /// <summary>Every problem found, in the order found.</summary>
    public IReadOnlyList<CertificateProblem> Problems { get; }

    /// <summary>
    /// Findings the profile accepts, reported so that an administrator sees what a certificate relies on (such as
    /// <see cref="CertificateProblemKinds.NameOnlyInCommonName"/>); they never affect <see cref="IsValid"/>.
    /// </summary>
    public IReadOnlyList<CertificateProblem> Notices { get; }

    /// <summary>The union of the kinds of every notice.</summary>
    public CertificateProblemKinds NoticeKinds { get; }

    private static CertificateProblem[] Collect(IEnumerable<CertificateProblem> items, string parameter, bool isNotice, out CertificateProblemKinds kinds)
    {
        CertificateProblem[] list = [.. items];
        kinds = CertificateProblemKinds.None;
        foreach (CertificateProblem item in list)
        {
            ArgumentNullException.ThrowIfNull(item, parameter);
            bool misplaced = isNotice
                ? item.Kind == CertificateProblemKinds.None || (item.Kind & ~NoticeKindsAllowed) != 0
                : (item.Kind & NoticeKindsAllowed) != 0;
            if (misplaced)
            {
                throw new ArgumentException(
                    isNotice
                        ? $"{item.Kind} is a problem, never an accepted notice."
                        : $"{item.Kind} is an accepted notice, never a problem: it belongs in the notices.",
                    parameter);
            }

            kinds |= item.Kind;
        }

        return list;
    }
}
