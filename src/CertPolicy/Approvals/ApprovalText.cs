using System.Globalization;
using System.Text;

namespace CertPolicy;

/// <summary>Approvals in words: scope names (as files and the command line write them) and what changed since one.</summary>
internal static class ApprovalText
{
    /// <summary>The scope's name in files: <c>certificate</c>, <c>publicKey</c> or <c>issuer</c>.</summary>
    public static string ScopeName(ApprovalScope scope) => scope switch
    {
        ApprovalScope.PublicKey => "publicKey",
        ApprovalScope.Issuer => "issuer",
        _ => "certificate",
    };

    /// <summary>Reads a scope's name in files.</summary>
    public static bool TryReadScope(string? name, out ApprovalScope scope)
    {
        (bool known, scope) = name switch
        {
            null or "certificate" => (true, ApprovalScope.Certificate),
            "publicKey" => (true, ApprovalScope.PublicKey),
            "issuer" => (true, ApprovalScope.Issuer),
            _ => (false, ApprovalScope.Certificate),
        };
        return known;
    }

    /// <summary>
    /// One sentence such as "This server's certificate changed since you approved it on 2026-11-02: new key, new
    /// problems (now expired, untrusted root; approved untrusted root)."
    /// </summary>
    public static string DescribeChange(CertificateApproval previous, ApprovalChanges changes, CertificateProblemKinds problems)
    {
        var parts = new List<string>();
        if ((changes & ApprovalChanges.NewKey) != 0)
        {
            parts.Add("new key");
        }

        if ((changes & ApprovalChanges.NewIssuer) != 0)
        {
            parts.Add("new issuer");
        }

        if ((changes & ApprovalChanges.NewCertificate) != 0 && (changes & (ApprovalChanges.NewKey | ApprovalChanges.NewIssuer)) == 0)
        {
            parts.Add("new certificate");
        }

        if ((changes & ApprovalChanges.NewProblems) != 0)
        {
            parts.Add($"new problems (now {ProblemText.ShortList(problems)}; approved {ProblemText.ShortList(previous.AcceptedProblems)})");
        }

        if ((changes & ApprovalChanges.ApprovalExpired) != 0)
        {
            parts.Add("the approval expired");
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"This server's certificate changed since you approved it on {previous.ApprovedAt.UtcDateTime:yyyy-MM-dd}");
        if ((changes & (ApprovalChanges.NewCertificate | ApprovalChanges.NewProblems)) == 0)
        {
            text.Clear().Append(CultureInfo.InvariantCulture, $"You approved this server's certificate on {previous.ApprovedAt.UtcDateTime:yyyy-MM-dd}");
        }

        text.Append(": ").AppendJoin(", ", parts).Append('.');
        return text.ToString();
    }

    /// <summary>The operating-system account approving now: <c>DOMAIN\user</c> on Windows, the user name elsewhere; null when unknown.</summary>
    public static string? CurrentAccount()
    {
        try
        {
            string user = Environment.UserName;
            return OperatingSystem.IsWindows() && !string.IsNullOrEmpty(Environment.UserDomainName) ? $"{Environment.UserDomainName}\\{user}" : user;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        catch (PlatformNotSupportedException)
        {
            return null;
        }
    }
}
