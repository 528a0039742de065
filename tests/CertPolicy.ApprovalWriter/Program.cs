using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CertPolicy;

// Usage: CertPolicy.ApprovalWriter <approvals file> <writer id> <count> <go file>
// Waits (at most one minute) until <go file> exists, so that every writer starts at once, then saves <count>
// approvals for hosts w<id>-<n>.writers.test through its own FileApprovalStore. Exit code 0 when all were saved.
// Pending questions (issue 17):
//   CertPolicy.ApprovalWriter pending <approvals file> <certificate DER file> <host> <port> <count> <go file>
//     waits for <go file>, then has a headless Warn engine (no trust anchors, no prompt) judge the certificate <count>
//     times, recording the question beside the approvals. Exit code 0 when every attempt was refused with NoPrompt.
//   CertPolicy.ApprovalWriter approve <approvals file> <host> <port> <sha256>
//     answers the pending question "yes". Exit code 0 when approved, 5 when no such question was asked.
if (args.Length > 0 && args[0] is "pending" or "approve")
{
    return await PendingQuestions.RunAsync(args).ConfigureAwait(false);
}

if (args.Length != 4
    || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int writer)
    || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
{
    await Console.Error.WriteLineAsync("usage: CertPolicy.ApprovalWriter <approvals file> <writer id> <count> <go file>").ConfigureAwait(false);
    return 2;
}

string goFile = args[3];
for (int waited = 0; !File.Exists(goFile); waited++)
{
    if (waited == 6000)
    {
        await Console.Error.WriteLineAsync($"the go file {goFile} never appeared").ConfigureAwait(false);
        return 3;
    }

    await Task.Delay(10).ConfigureAwait(false);
}

var store = new FileApprovalStore(args[0]);
for (int i = 0; i < count; i++)
{
    string host = string.Create(CultureInfo.InvariantCulture, $"w{writer}-{i}.writers.test");
    var sha256 = CertificateFingerprint.Compute(Encoding.UTF8.GetBytes(host));
    await store.SaveAsync(new CertificateApproval(ServerIdentity.Create(host), sha256, CertificateProblemKinds.UntrustedRoot, DateTimeOffset.UnixEpoch, $"CN={host}")).ConfigureAwait(false);
}

return 0;

/// <summary>Lets the tests find this assembly's path.</summary>
public sealed partial class ApprovalWriterMarker
{
    private ApprovalWriterMarker()
    {
    }
}

/// <summary>The pending-question modes of this helper.</summary>
internal static class PendingQuestions
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] == "approve" && args.Length == 5)
        {
            var server = ServerIdentity.Create(args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
            var approvals = new FileApprovalStore(args[1]);
            var questions = new PendingQuestionStore(PendingQuestionStore.FilePathFor(args[1]));
            try
            {
                await questions.ApproveAsync(server, CertificateFingerprint.Parse(args[4]), approvals).ConfigureAwait(false);
                return 0;
            }
            catch (PendingQuestionNotFoundException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 5;
            }
        }

        if (args[0] != "pending" || args.Length != 7)
        {
            await Console.Error.WriteLineAsync("usage: CertPolicy.ApprovalWriter pending <approvals> <der> <host> <port> <count> <go> | approve <approvals> <host> <port> <sha256>").ConfigureAwait(false);
            return 2;
        }

        byte[] der = await File.ReadAllBytesAsync(args[2]).ConfigureAwait(false);
        var identity = ServerIdentity.Create(args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
        int count = int.Parse(args[5], CultureInfo.InvariantCulture);
        for (int waited = 0; !File.Exists(args[6]); waited++)
        {
            if (waited == 6000)
            {
                return 3;
            }

            await Task.Delay(10).ConfigureAwait(false);
        }

        var engine = new CertificateDecisionEngine(
            new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([]) }),
            new CertificateDecisionEngineOptions
            {
                Approvals = new FileApprovalStore(args[1]),
                PendingQuestions = new PendingQuestionStore(PendingQuestionStore.FilePathFor(args[1])),
            });
        for (int i = 0; i < count; i++)
        {
            CertificateDecision decision = await engine.DecideAsync([der], identity).ConfigureAwait(false);
            if (decision.Reason != DecisionReason.NoPrompt)
            {
                await Console.Error.WriteLineAsync($"attempt {i}: {decision.Reason}").ConfigureAwait(false);
                return 4;
            }
        }

        return 0;
    }
}
