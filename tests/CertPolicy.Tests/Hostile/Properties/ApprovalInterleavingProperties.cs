using System.Security.Cryptography;
using System.Text;
using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Support;
using CsCheck;

namespace CertPolicy.Tests.Hostile.Properties;

/// <summary>
/// Several <see cref="FileApprovalStore"/> instances over one file, written from several threads in random
/// interleavings: afterwards the file, and every store, holds exactly the approvals the operations imply.
/// </summary>
public sealed class ApprovalInterleavingProperties
{
    private const int Keys = 6;

    private static readonly CertificateProblemKinds[] Accepted =
        [CertificateProblemKinds.UntrustedRoot, CertificateProblemKinds.NameMismatch, CertificateProblemKinds.Expired | CertificateProblemKinds.UntrustedRoot];

    /// <summary>One operation: which store, which key, remember (with which problems) or forget.</summary>
    private static readonly Gen<Operation> AnOperation = Gen.Select(Gen.Int[0, 3], Gen.Int[0, Keys - 1], Gen.Int[0, 3])
        .Select((store, key, action) => new Operation(store, key, action == 3 ? null : Accepted[action]));

    [Fact]
    public void Approvals_survive_any_interleaving_of_writers_through_several_stores()
    {
        Gen.Select(Gen.Int[2, 4], Gen.Int[2, 4], AnOperation.Array[4, 24])
            .Sample(
                (storeCount, threadCount, operations) =>
                {
                    using var directory = new TempDirectory();
                    string file = directory.File("approvals.json");
                    FileApprovalStore[] stores = [.. Enumerable.Range(0, storeCount).Select(_ => new FileApprovalStore(file))];

                    // Each key belongs to one thread, so the operations on one key keep their order and the expected
                    // end state is defined; operations on different keys interleave freely across threads and stores.
                    Operation[][] perThread = [.. Enumerable.Range(0, threadCount).Select(t => operations.Where(o => o.Key % threadCount == t).ToArray())];
                    using var start = new Barrier(threadCount);
                    Task[] threads = [.. perThread.Select(ops => Task.Factory.StartNew(
                        () =>
                        {
                            start.SignalAndWait(TimeSpan.FromSeconds(30));
                            foreach (Operation op in ops)
                            {
                                FileApprovalStore store = stores[op.Store % storeCount];
                                if (op.Problems is { } problems)
                                {
                                    store.SaveAsync(new CertificateApproval(Server(op.Key), CertificateFingerprint.Parse(Sha256(op.Key)), problems, TestPki.Now)).AsTask().GetAwaiter().GetResult();
                                }
                                else
                                {
                                    store.ForgetAsync(Server(op.Key), CertificateFingerprint.Parse(Sha256(op.Key))).AsTask().GetAwaiter().GetResult();
                                }
                            }
                        },
                        CancellationToken.None,
                        TaskCreationOptions.LongRunning,
                        TaskScheduler.Default))];
                    Assert.True(Task.WaitAll(threads, TimeSpan.FromMinutes(1)), "the writers did not finish within a minute");

                    // The last operation on each key decides.
                    var expected = new Dictionary<int, CertificateProblemKinds>();
                    foreach (Operation op in operations)
                    {
                        if (op.Problems is { } problems)
                        {
                            expected[op.Key] = problems;
                        }
                        else
                        {
                            expected.Remove(op.Key);
                        }
                    }

                    foreach (FileApprovalStore reader in stores.Append(new FileApprovalStore(file)))
                    {
                        IReadOnlyList<CertificateApproval> all = reader.List();
                        Assert.Equal(expected.Count, all.Count);
                        foreach ((int key, CertificateProblemKinds problems) in expected)
                        {
                            CertificateApproval? found = reader.Find(Server(key), CertificateFingerprint.Parse(Sha256(key)));
                            Assert.True(found is not null, $"approval {key} is missing");
                            Assert.Equal(problems, found.AcceptedProblems);
                        }
                    }

                    Assert.False(File.Exists(file + ".tmp"), "a temporary file was left behind");
                },
                iter: 25,
                threads: 1,
                print: t => $"{t.Item1} stores, {t.Item2} threads: {string.Join(", ", t.Item3)}");
    }

    private static ServerIdentity Server(int key) => ServerIdentity.Create($"s{key % 3}.interleave.test", 443 + (key / 3));

    private static string Sha256(int key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"certificate {key}")));

    private sealed record Operation(int Store, int Key, CertificateProblemKinds? Problems)
    {
        public override string ToString() => Problems is { } p ? $"store{Store}.Remember({Key}, {p})" : $"store{Store}.Forget({Key})";
    }
}
