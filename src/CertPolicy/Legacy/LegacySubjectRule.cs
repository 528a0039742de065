namespace CertPolicy;

/// <summary>
/// What older agents checked: the leaf's subject common name equals the expected one (ordinal, ASCII
/// case-insensitive), and nothing else. (Stub: to be completed by the identity work.)
/// </summary>
internal static class LegacySubjectRule
{
    /// <summary>Judges the leaf's subject common names against the expected subject.</summary>
    /// <param name="expectedSubject">The common name legacy agents expect.</param>
    /// <param name="subjectCommonNames">Every commonName attribute of the leaf's subject, in order.</param>
    /// <param name="leafSubject">The leaf's subject as text, for the report.</param>
    public static ValidationVerdict Evaluate(string expectedSubject, IReadOnlyList<string> subjectCommonNames, string? leafSubject)
    {
        ArgumentNullException.ThrowIfNull(expectedSubject);
        ArgumentNullException.ThrowIfNull(subjectCommonNames);
        if (subjectCommonNames.Count == 1 && string.Equals(subjectCommonNames[0], expectedSubject, StringComparison.OrdinalIgnoreCase))
        {
            return ValidationVerdict.Valid;
        }

        return new ValidationVerdict([new CertificateProblem(
            CertificateProblemKinds.SubjectMismatch, 0, leafSubject, $"Legacy agents expect the subject common name '{expectedSubject}'.")]);
    }
}
