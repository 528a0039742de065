using System.Security.Cryptography;

namespace CertPolicy.Fuzzing;

/// <summary>
/// The approvals file reader: the input is written as an approvals file and read through a
/// <see cref="FileApprovalStore"/>, which then saves one approval over it.
/// </summary>
/// <remarks>
/// Contract: only <see cref="ApprovalStoreException"/>; every approval read can be found again by its server and
/// fingerprint; a file that reads as empty though it is not a valid empty file was either kept as it was (a newer
/// version) or moved aside with its bytes intact, never lost; saving keeps every approval that was read and adds the
/// new one; when saving fails the file is unchanged; and a second store reads the saved file the same way.
/// </remarks>
internal sealed class ApprovalsTarget : FuzzTarget
{
    private static readonly ServerIdentity SavedServer = ServerIdentity.Create("fuzz.example.test", 8443);
    private static readonly CertificateFingerprint SavedSha256 = CertificateFingerprint.Compute(FuzzFixtures.Leaf);

    public ApprovalsTarget(TimeSpan callBound)
        : base(callBound)
    {
    }

    public override string Name => "approvals";

    public override void Run(ReadOnlySpan<byte> input)
    {
        string file = TempFolder.WriteInput(Name, "approvals.json", input);
        byte[] original = input.ToArray();

        var store = new FileApprovalStore(file, FuzzFixtures.Clock);
        IReadOnlyList<CertificateApproval>? read = TryStore("List", store.List);
        if (read is null)
        {
            Require(File.Exists(file) && File.ReadAllBytes(file).AsSpan().SequenceEqual(original), "List failed and the file was changed.");
            return;
        }

        foreach (CertificateApproval approval in read)
        {
            Require(approval.Fingerprint != default && approval.AcceptedProblems != CertificateProblemKinds.None, $"An approval read is malformed: {approval.Server} {approval.Fingerprint}.");
            CertificateApproval? found = Timed("Find", () => store.Find(approval.Server, approval.Fingerprint));
            Require(found is not null && found.AcceptedProblems == approval.AcceptedProblems, $"An approval listed for {approval.Server} cannot be found again.");
        }

        RequireKeptOrMovedAside(file, original, read.Count, "approvals");

        byte[]? before = File.Exists(file) ? File.ReadAllBytes(file) : null;
        var approval2 = new CertificateApproval(SavedServer, SavedSha256, CertificateProblemKinds.UntrustedRoot, FuzzFixtures.Now, "CN=fuzz");
        bool saved = TryStore("SaveAsync", () => { store.SaveAsync(approval2).AsTask().GetAwaiter().GetResult(); return true; });
        if (!saved)
        {
            byte[]? after = File.Exists(file) ? File.ReadAllBytes(file) : null;
            Require(
                (before is null && after is null) || (before is not null && after is not null && before.AsSpan().SequenceEqual(after)),
                "SaveAsync failed and the file was changed.");
            return;
        }

        IReadOnlyList<CertificateApproval> afterSave = Timed("List after SaveAsync", store.List);
        foreach (CertificateApproval earlier in read.Where(a => !(a.Server.Equals(SavedServer) && a.Fingerprint == SavedSha256)))
        {
            Require(
                afterSave.Any(a => a.Server.Equals(earlier.Server) && a.Fingerprint == earlier.Fingerprint && a.AcceptedProblems == earlier.AcceptedProblems),
                $"Saving an approval lost the approval of {earlier.Server} ({earlier.Fingerprint}).");
        }

        Require(store.Find(SavedServer, SavedSha256) is not null, "The saved approval cannot be found.");
        IReadOnlyList<CertificateApproval> reread = Timed("List by a second store", () => new FileApprovalStore(file, FuzzFixtures.Clock).List());
        Require(reread.Count == afterSave.Count, $"A second store reads {reread.Count} approvals from the saved file, not {afterSave.Count}.");
    }
}
