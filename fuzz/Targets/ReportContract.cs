using System.Security.Cryptography;

namespace CertPolicy.Fuzzing;

/// <summary>What every validation report must honour, whatever the bytes it judged.</summary>
internal static class ReportContract
{
    /// <summary>
    /// Checks the report's shape: a verdict is valid exactly when it lists no problem, every problem has a message and
    /// names a certificate that was sent (or none), and the summary of the leaf is of the leaf's bytes.
    /// </summary>
    public static void Check(ValidationReport report, IReadOnlyList<ReadOnlyMemory<byte>> sent, string call)
    {
        CheckVerdict(report.Modern, sent.Count, call);
        if (report.Legacy is { } legacy)
        {
            CheckVerdict(legacy, sent.Count, call);
        }

        if (report.Certificate is { } summary && sent.Count > 0)
        {
            string expected = Convert.ToHexString(SHA256.HashData(sent[0].Span));
            if (!string.Equals(summary.Sha256Fingerprint, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new FuzzContractException($"{call}: the report summarises a certificate ({summary.Sha256Fingerprint}) that is not the leaf sent ({expected}).");
            }

            _ = summary.ToString();
        }
    }

    private static void CheckVerdict(ValidationVerdict verdict, int sent, string call)
    {
        if (verdict.IsValid != (verdict.Problems.Count == 0))
        {
            throw new FuzzContractException($"{call}: IsValid is {verdict.IsValid} with {verdict.Problems.Count} problems.");
        }

        CertificateProblemKinds kinds = CertificateProblemKinds.None;
        foreach (CertificateProblem problem in verdict.Problems)
        {
            kinds |= problem.Kind;
            if (string.IsNullOrWhiteSpace(problem.Message) || problem.ChainPosition < -1 || problem.ChainPosition > Math.Max(sent, 1) + 32)
            {
                throw new FuzzContractException($"{call}: a problem without a message or with a position out of range: {problem}.");
            }

            _ = problem.ToString();
        }

        if (kinds != verdict.Kinds)
        {
            throw new FuzzContractException($"{call}: Kinds is {verdict.Kinds} but the problems are {kinds}.");
        }
    }
}
