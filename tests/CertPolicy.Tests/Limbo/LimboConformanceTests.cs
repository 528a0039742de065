using System.Diagnostics;
using CertPolicy.Limbo;

namespace CertPolicy.Tests.Limbo;

/// <summary>
/// Runs the x509-limbo suite (issue 6) through the same harness as tests/CertPolicy.Limbo: every case must agree with
/// the suite unless it is on the reviewed list of deviations (expected-deviations.txt), and every listed case that is
/// in the suite must still disagree. The suite is found at CERTPOLICY_LIMBO_JSON, else at ../shared/x509-limbo/limbo.json
/// beside the repository; without it the tests are skipped, saying so.
/// </summary>
public sealed class LimboConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_case_agrees_with_the_suite_or_is_a_reviewed_deviation()
    {
        LimboSuite suite = LoadSuiteOrSkip();
        Dictionary<string, string> deviations = LoadDeviations();
        int passed = 0, failed = 0, skipped = 0;
        var unexpected = new List<string>();
        var stale = new List<string>();
        foreach (LimboCase testCase in suite.Testcases)
        {
            LimboResult result = LimboRunner.Run(testCase);
            Assert.False(result.Context.StartsWith(LimboRunner.CrashPrefix, StringComparison.Ordinal), $"{testCase.Id}: {result.Context}");
            bool agrees = result.ActualResult == testCase.ExpectedResult;
            if (result.ActualResult == LimboRunner.Skipped)
            {
                skipped++;
            }
            else if (agrees)
            {
                passed++;
            }
            else
            {
                failed++;
            }

            bool listed = deviations.ContainsKey(testCase.Id);
            if (!agrees && !listed)
            {
                unexpected.Add($"{testCase.Id}: expected {testCase.ExpectedResult}, got {result.ActualResult}: {result.Context}");
            }
            else if (agrees && listed)
            {
                stale.Add($"{testCase.Id}: now agrees with the suite ({result.ActualResult}); remove it from expected-deviations.txt");
            }
        }

        string summary = $"limbo: {passed} passed, {failed} failed, {skipped} skipped ({suite.Testcases.Count} cases)";
        output.WriteLine(summary);
        TestContext.Current.SendDiagnosticMessage(summary);
        foreach (string line in unexpected.Concat(stale))
        {
            output.WriteLine(line);
        }

        Assert.True(unexpected.Count == 0 && stale.Count == 0, string.Join(Environment.NewLine, unexpected.Concat(stale)));
    }

    [Fact]
    public void Pathological_cases_end_within_the_work_budget()
    {
        LimboSuite suite = LoadSuiteOrSkip();
        int checkedCases = 0;
        foreach (LimboCase testCase in suite.Testcases.Where(c => c.Id.StartsWith("pathological::", StringComparison.Ordinal)))
        {
            PreparedCase prepared = LimboRunner.Prepare(testCase);
            foreach (string? purpose in prepared.Purposes)
            {
                CertificateValidator validator = LimboRunner.CreateValidator(prepared, purpose);
                var clock = Stopwatch.StartNew();
                ValidationReport report = validator.ValidateCore(prepared.Peer, prepared.Identity, out WorkBudget budget);
                output.WriteLine($"{testCase.Id}: {(report.IsValid ? "valid" : "invalid")} after {budget.SignatureChecks} signature check(s), {budget.Candidates} candidate(s), {budget.NameComparisons} name comparison(s), {clock.Elapsed.TotalMilliseconds:F1} ms");
                Assert.InRange(budget.SignatureChecks, 0, budget.MaxSignatureChecks);
                Assert.InRange(budget.Candidates, 0, budget.MaxCandidates);
                Assert.InRange(budget.NameComparisons, 0, WorkBudget.MaxNameComparisons);
                Assert.Equal(testCase.ExpectedResult == LimboRunner.Success, report.IsValid);
                checkedCases++;
            }
        }

        Assert.True(checkedCases > 0, "The suite has no pathological:: case.");
    }

    private static LimboSuite LoadSuiteOrSkip()
    {
        string? path = FindSuite();
        if (path is null)
        {
            Assert.Skip("x509-limbo not found: set CERTPOLICY_LIMBO_JSON to limbo.json, or put it at ../shared/x509-limbo/limbo.json beside the repository.");
        }

        return LimboRunner.Load(path);
    }

    private static string? FindSuite()
    {
        string? fromEnvironment = Environment.GetEnvironmentVariable("CERTPOLICY_LIMBO_JSON");
        if (!string.IsNullOrWhiteSpace(fromEnvironment) && File.Exists(fromEnvironment))
        {
            return fromEnvironment;
        }

        string? root = RepositoryRoot();
        string? besideRepository = root is null ? null : Path.GetFullPath(Path.Combine(root, "..", "shared", "x509-limbo", "limbo.json"));
        return besideRepository is not null && File.Exists(besideRepository) ? besideRepository : null;
    }

    private static Dictionary<string, string> LoadDeviations()
    {
        string root = RepositoryRoot() ?? throw new InvalidOperationException("The repository root (the folder holding CertPolicy.sln) was not found.");
        var deviations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(root, "tests", "CertPolicy.Tests", "Limbo", "expected-deviations.txt")))
        {
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            int hash = trimmed.IndexOf('#', StringComparison.Ordinal);
            string id = (hash < 0 ? trimmed : trimmed[..hash]).Trim();
            string reason = hash < 0 ? string.Empty : trimmed[(hash + 1)..].Trim();
            Assert.False(string.IsNullOrEmpty(reason), $"The deviation {id} has no reason.");
            deviations.Add(id, reason);
        }

        return deviations;
    }

    private static string? RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CertPolicy.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
