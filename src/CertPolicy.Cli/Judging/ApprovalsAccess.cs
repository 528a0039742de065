namespace CertPolicy.Cli.Judging;

/// <summary>Opens an approvals file through the library's <see cref="FileApprovalStore"/>, as agents do.</summary>
internal static class ApprovalsAccess
{
    /// <summary>The store over <paramref name="path"/>, read once now so that an unreadable file is reported at once.</summary>
    /// <exception cref="CliException">The path is not valid, or the file cannot be read.</exception>
    public static FileApprovalStore Open(string path, TimeProvider timeProvider, MessageCollector messages)
    {
        FileApprovalStore store;
        try
        {
            store = new FileApprovalStore(path, timeProvider, messages);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"'{path}' is not a valid approvals file path: {ex.Message}", ex);
        }

        try
        {
            _ = store.List();
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException($"cannot read the approvals file '{store.FilePath}': {ex.Message}", ex);
        }

        return store;
    }

    /// <summary>The approvals file used when none is given: the one agents of this account use by default.</summary>
    /// <exception cref="CliException">The account has no local application data folder.</exception>
    public static string DefaultPath() =>
        FileApprovalStore.DefaultFilePath ?? throw new CliException("this account has no local application data folder; name the approvals file with --approvals FILE.");
}
