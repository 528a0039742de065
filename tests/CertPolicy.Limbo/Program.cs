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
var timings = new List<(string Id, TimeSpan Elapsed)>();
foreach (LimboCase testCase in suite.Testcases)
{
    long start = Stopwatch.GetTimestamp();
    LimboResult result = LimboRunner.Run(testCase);
    timings.Add((testCase.Id, Stopwatch.GetElapsedTime(start)));
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
foreach ((string id, TimeSpan elapsed) in timings.OrderByDescending(t => t.Elapsed).Take(5))
{
    Console.Error.WriteLine($"slowest  {id}: {elapsed.TotalMilliseconds:F1} ms");
}

Console.WriteLine($"limbo: {agree} passed, {disagree} failed, {skipped} skipped ({suite.Testcases.Count} cases, {clock.Elapsed.TotalSeconds:F1} s)");
return 0;
