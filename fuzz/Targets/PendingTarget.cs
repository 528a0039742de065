namespace CertPolicy.Fuzzing;

/// <summary>
/// The pending-questions file reader: the input is written as <c>approvals.json.pending.json</c>, listed through a
/// read-only <see cref="PendingQuestionStore"/> (what <c>certpolicy approvals pending</c> does), then through a
/// writable one, which answers its questions.
/// </summary>
/// <remarks>
/// Contract: only <see cref="ApprovalStoreException"/> (and <see cref="PendingQuestionNotFoundException"/> for a
/// question that is not there); the read-only store never changes, moves or creates a file; every question read can
/// be found again by its server and fingerprint; a file that reads as empty though it holds questions was either kept
/// as it was or moved aside with its bytes intact, never lost; approving a question saves an approval for exactly its
/// server, certificate and problems and removes only that question; denying removes only that question; when a change
/// fails the file is unchanged; and a second store reads the result the same way.
/// </remarks>
internal sealed class PendingTarget : FuzzTarget
{
    private static readonly ServerIdentity NeverAsked = ServerIdentity.Create("never.example.test", 8443);
    private static readonly CertificateFingerprint NeverAskedSha256 = CertificateFingerprint.Compute(FuzzFixtures.Leaf);

    public PendingTarget(TimeSpan callBound)
        : base(callBound)
    {
    }

    public override string Name => "pending";

    public override void Run(ReadOnlySpan<byte> input)
    {
        string file = TempFolder.WriteInput(Name, "approvals.json.pending.json", input);
        string folder = Path.GetDirectoryName(file)!;
        byte[] original = input.ToArray();

        // Read-only first: whatever it says, nothing in the folder may change.
        IReadOnlyList<PendingQuestion>? listed = TryStore("read-only List", () => PendingQuestionStore.OpenReadOnly(file, FuzzFixtures.Clock).List());
        Require(File.ReadAllBytes(file).AsSpan().SequenceEqual(original), "The read-only store changed the file.");
        Require(Directory.GetFileSystemEntries(folder).Length == 1, "The read-only store created or moved a file.");

        var store = new PendingQuestionStore(file, FuzzFixtures.Clock);
        IReadOnlyList<PendingQuestion>? read = TryStore("List", store.List);
        if (read is null)
        {
            Require(File.Exists(file) && File.ReadAllBytes(file).AsSpan().SequenceEqual(original), "List failed and the file was changed.");
            return;
        }

        Require(listed is null || listed.Count == read.Count, $"The read-only store lists {listed?.Count} questions, the store {read.Count}.");
        foreach (PendingQuestion question in read)
        {
            Require(question.Fingerprint != default && question.Attempts >= 1, $"A question read is malformed: {question.Server} {question.Fingerprint}.");
            PendingQuestion? found = Timed("Find", () => store.Find(question.Server, question.Fingerprint));
            Require(found is not null && found.Problems == question.Problems, $"A question listed for {question.Server} cannot be found again.");
        }

        RequireKeptOrMovedAside(file, original, read.Count, "pending-questions");

        // An answer for a question nobody asked changes nothing.
        byte[]? before = File.Exists(file) ? File.ReadAllBytes(file) : null;
        bool denied = TryAnswer("DenyAsync (never asked)", () => store.DenyAsync(NeverAsked, NeverAskedSha256).AsTask().GetAwaiter().GetResult());
        Require(!denied, "Denying a question nobody asked removed something.");
        RequireUnchanged(file, before, "DenyAsync of a question nobody asked changed the file.");

        if (read.Count == 0)
        {
            return;
        }

        // Approve the oldest question, deny the next: the others stay.
        PendingQuestion first = read[0];
        var approvals = new InMemoryApprovalStore();
        before = File.Exists(file) ? File.ReadAllBytes(file) : null;
        CertificateApproval? approval = TryAnswer("ApproveAsync", () => store.ApproveAsync(first.Server, first.Fingerprint, approvals).AsTask().GetAwaiter().GetResult());
        if (approval is null)
        {
            RequireUnchanged(file, before, "ApproveAsync failed and the file was changed.");
            Require(approvals.List().Count == 0, "ApproveAsync failed but saved an approval.");
            return;
        }

        Require(
            approval.Server.Equals(first.Server) && approval.Fingerprint == first.Fingerprint && approval.AcceptedProblems == first.Problems,
            $"The approval of {first.Server} is not for exactly the question's server, certificate and problems.");
        IReadOnlyList<PendingQuestion> afterApprove = Timed("List after ApproveAsync", store.List);
        // A file may name the same question twice: an answer answers every copy.
        Require(
            afterApprove.Count == read.Count - read.Count(q => Same(q, first)) && store.Find(first.Server, first.Fingerprint) is null,
            "ApproveAsync did not remove exactly the question it answered.");

        IReadOnlyList<PendingQuestion> final = afterApprove;
        if (afterApprove.Count > 0)
        {
            PendingQuestion second = afterApprove[0];
            bool removed = Timed("DenyAsync", () => store.DenyAsync(second.Server, second.Fingerprint).AsTask().GetAwaiter().GetResult());
            final = Timed("List after DenyAsync", store.List);
            Require(
                removed && store.Find(second.Server, second.Fingerprint) is null && final.Count == afterApprove.Count - afterApprove.Count(q => Same(q, second)),
                "DenyAsync did not remove exactly the question it answered.");
        }

        IReadOnlyList<PendingQuestion> reread = Timed("List by a second store", () => PendingQuestionStore.OpenReadOnly(file, FuzzFixtures.Clock).List());
        Require(reread.Count == final.Count, $"A second store reads {reread.Count} questions from the answered file, not {final.Count}.");
    }

    private static bool Same(PendingQuestion a, PendingQuestion b) => a.Server.Equals(b.Server) && a.Fingerprint == b.Fingerprint;

    private static void RequireUnchanged(string file, byte[]? before, string message)
    {
        byte[]? after = File.Exists(file) ? File.ReadAllBytes(file) : null;
        Require((before is null && after is null) || (before is not null && after is not null && before.AsSpan().SequenceEqual(after)), message);
    }

    private T? TryAnswer<T>(string call, Func<T> action)
    {
        try
        {
            return TryStore(call, action);
        }
        catch (PendingQuestionNotFoundException)
        {
            return default;
        }
    }
}
