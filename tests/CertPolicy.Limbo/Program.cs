using System.Diagnostics;
using CertPolicy.Limbo;

// Usage: CertPolicy.Limbo LIMBO.json RESULTS.json
// Evaluates every case with CertPolicy and writes a limbo results file; prints how many agree with the suite.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: CertPolicy.Limbo LIMBO.json RESULTS.json");
    return 2;
}

LimboSuite suite = LimboRunner.Load(args[0]);
var results = new List<LimboResult>(suite.Testcases.Count);
int agree = 0, disagree = 0, skipped = 0;
var clock = Stopwatch.StartNew();
foreach (LimboCase testCase in suite.Testcases)
{
    LimboResult result = LimboRunner.Run(testCase);
    results.Add(result);
    if (result.ActualResult == LimboRunner.Skipped)
    {
        skipped++;
        Console.Error.WriteLine($"skipped  {testCase.Id}: {result.Context}");
    }
    else if (result.ActualResult == testCase.ExpectedResult)
    {
        agree++;
    }
    else
    {
        disagree++;
        Console.Error.WriteLine($"disagree {testCase.Id}: expected {testCase.ExpectedResult}, got {result.ActualResult}: {result.Context}");
    }
}

LimboRunner.Save(args[1], results);
Console.WriteLine($"limbo: {agree} passed, {disagree} failed, {skipped} skipped ({suite.Testcases.Count} cases, {clock.Elapsed.TotalSeconds:F1} s)");
return 0;
