using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CertPolicy;

// Usage: CertPolicy.ApprovalWriter <approvals file> <writer id> <count> <go file>
// Waits (at most one minute) until <go file> exists, so that every writer starts at once, then saves <count>
// approvals for hosts w<id>-<n>.writers.test through its own FileApprovalStore. Exit code 0 when all were saved.
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
