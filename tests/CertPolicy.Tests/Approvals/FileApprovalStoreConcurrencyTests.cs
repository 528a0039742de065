using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Approvals;

/// <summary>Several writers at once, in threads and in other processes: no approval may be lost.</summary>
public sealed class FileApprovalStoreConcurrencyTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string FilePath => _directory.File("approvals.json");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Threads_writing_through_one_store_and_through_separate_stores_lose_nothing()
    {
        const int Writers = 8;
        const int PerWriter = 20;
        var shared = new FileApprovalStore(FilePath);

        // Half the writers share one store (in-process gate), half have their own (OS file lock only).
        Task[] writers = [.. Enumerable.Range(0, Writers).Select(w => Task.Run(
            async () =>
            {
                FileApprovalStore store = w % 2 == 0 ? shared : new FileApprovalStore(FilePath);
                for (int i = 0; i < PerWriter; i++)
                {
                    await store.SaveAsync(Approval($"t{w}-{i}.threads.test"), Ct);
                }
            },
            Ct))];
        await Task.WhenAll(writers).WaitAsync(Bound, Ct);

        IReadOnlyList<CertificateApproval> all = new FileApprovalStore(FilePath).List();
        Assert.Equal(Writers * PerWriter, all.Count);
        Assert.Equal(Writers * PerWriter, shared.List().Count);
        Assert.False(File.Exists(FilePath + ".tmp"));
    }

    [Fact]
    public async Task Processes_and_threads_writing_at_once_lose_nothing()
    {
        const int Processes = 4;
        const int PerProcess = 25;
        const int Threads = 2;
        const int PerThread = 25;
        string goFile = _directory.File("go");
        string writer = typeof(ApprovalWriterMarker).Assembly.Location;
        Assert.True(File.Exists(writer), $"The helper {writer} was not built.");

        var processes = new List<Process>();
        try
        {
            for (int p = 0; p < Processes; p++)
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
                foreach (string argument in new[] { writer, FilePath, p.ToString(CultureInfo.InvariantCulture), PerProcess.ToString(CultureInfo.InvariantCulture), goFile })
                {
                    start.ArgumentList.Add(argument);
                }

                processes.Add(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
            }

            File.WriteAllText(goFile, "go");
            Task[] threads = [.. Enumerable.Range(0, Threads).Select(t => Task.Run(
                async () =>
                {
                    var store = new FileApprovalStore(FilePath);
                    for (int i = 0; i < PerThread; i++)
                    {
                        await store.SaveAsync(Approval($"in-process-{t}-{i}.threads.test"), Ct);
                    }
                },
                Ct))];
            await Task.WhenAll(threads).WaitAsync(Bound, Ct);

            foreach (Process process in processes)
            {
                Task<string> errors = process.StandardError.ReadToEndAsync(Ct);
                await process.WaitForExitAsync(Ct).WaitAsync(Bound, Ct);
                Assert.True(process.ExitCode == 0, $"A writer process failed ({process.ExitCode}): {await errors}");
            }
        }
        finally
        {
            foreach (Process process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }

                process.Dispose();
            }
        }

        IReadOnlyList<CertificateApproval> all = new FileApprovalStore(FilePath).List();
        Assert.Equal((Processes * PerProcess) + (Threads * PerThread), all.Count);
        for (int p = 0; p < Processes; p++)
        {
            for (int i = 0; i < PerProcess; i++)
            {
                string host = $"w{p}-{i}.writers.test";
                Assert.Contains(all, a => a.Server.Host == host);
            }
        }
    }

    private static CertificateApproval Approval(string host) =>
        new(ServerIdentity.Create(host), CertificateFingerprint.Parse(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(host)))), CertificateProblemKinds.UntrustedRoot, TestPki.Now, $"CN={host}");
}
