using System.Text;

namespace CertPolicy;

/// <summary>
/// What older agents checked: the leaf's subject common name equals the expected one, and nothing else — not the
/// host name, not the validity period, not the issuer. The comparison is ordinal and ignores case in ASCII letters
/// only: no culture rules and no Unicode case folding, so "admın" (dotless ı) or "ſerver" (long s) never pass for
/// "admin" or "server". A subject with several common names is ambiguous (which one an old agent read is not
/// defined) and fails, as does a subject with none, and an empty expected name.
/// </summary>
internal static class LegacySubjectRule
{
    /// <summary>Judges the leaf's subject common names against the expected subject.</summary>
    /// <param name="expectedSubject">The common name legacy agents expect.</param>
    /// <param name="subjectCommonNames">Every commonName attribute of the leaf's subject, in order.</param>
    /// <param name="leafSubject">The leaf's subject as text, for the report.</param>
    /// <returns>Valid when exactly one common name equals the expected one; otherwise one <see cref="CertificateProblemKinds.SubjectMismatch"/> problem saying why.</returns>
    public static ValidationVerdict Evaluate(string expectedSubject, IReadOnlyList<string> subjectCommonNames, string? leafSubject)
    {
        ArgumentNullException.ThrowIfNull(expectedSubject);
        ArgumentNullException.ThrowIfNull(subjectCommonNames);
        if (string.IsNullOrWhiteSpace(expectedSubject))
        {
            return Mismatch(leafSubject, "No subject common name is configured for legacy agents, so no certificate can pass their check.");
        }

        string expected = DisplayText.Quote(expectedSubject);
        switch (subjectCommonNames.Count)
        {
            case 0:
                return Mismatch(leafSubject, $"Legacy agents expect the subject common name {expected}; this certificate's subject has no common name.");

            case 1:
                string? actual = subjectCommonNames[0];
                if (actual is not null && EqualsIgnoringAsciiCase(actual, expectedSubject))
                {
                    return ValidationVerdict.Valid;
                }

                string message = $"Legacy agents expect the subject common name {expected}; this certificate's is {DisplayText.Quote(actual)}.";
                if (actual is not null && string.Equals(actual, expectedSubject, StringComparison.OrdinalIgnoreCase))
                {
                    message += " They differ in the case of non-ASCII letters, which legacy agents do not ignore.";
                }

                return Mismatch(leafSubject, message);

            default:
                var names = new StringBuilder();
                for (int i = 0; i < subjectCommonNames.Count && i < 10; i++)
                {
                    names.Append(i == 0 ? string.Empty : ", ").Append(DisplayText.Quote(subjectCommonNames[i]));
                }

                if (subjectCommonNames.Count > 10)
                {
                    names.Append(" and ").Append(subjectCommonNames.Count - 10).Append(" more");
                }

                return Mismatch(
                    leafSubject,
                    $"Legacy agents expect the subject common name {expected}; this certificate's subject is ambiguous: it has {subjectCommonNames.Count} common names ({names}), and which one a legacy agent reads is not defined.");
        }
    }

    /// <summary>Ordinal equality that treats 'A'–'Z' as 'a'–'z' and every other character as itself.</summary>
    /// <param name="left">One string.</param>
    /// <param name="right">The other.</param>
    /// <returns>True when equal.</returns>
    internal static bool EqualsIgnoringAsciiCase(string left, string right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (int i = 0; i < left.Length; i++)
        {
            char a = left[i];
            char b = right[i];
            if (a != b && !(char.IsAsciiLetter(a) && char.IsAsciiLetter(b) && (a | 0x20) == (b | 0x20)))
            {
                return false;
            }
        }

        return true;
    }

    private static ValidationVerdict Mismatch(string? leafSubject, string message) =>
        new([new CertificateProblem(CertificateProblemKinds.SubjectMismatch, 0, leafSubject, message)]);
}
