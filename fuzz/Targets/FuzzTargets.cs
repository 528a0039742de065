namespace CertPolicy.Fuzzing;

/// <summary>Every fuzz target, by name.</summary>
internal static class FuzzTargets
{
    /// <summary>The targets' names, in the order fuzz/run.sh and the replay test list them.</summary>
    public static readonly string[] Names = ["certificate", "crl", "pem", "identity", "approvals", "profile", "pending"];

    /// <summary>Creates the named target with the given per-call time bound.</summary>
    public static FuzzTarget Create(string name, TimeSpan callBound) => name switch
    {
        "certificate" => new CertificateTarget(callBound),
        "crl" => new CrlTarget(callBound),
        "pem" => new PemTarget(callBound),
        "identity" => new IdentityTarget(callBound),
        "approvals" => new ApprovalsTarget(callBound),
        "profile" => new ProfileTarget(callBound),
        "pending" => new PendingTarget(callBound),
        _ => throw new ArgumentException($"No fuzz target '{name}'; the targets are {string.Join(", ", Names)}.", nameof(name)),
    };
}
