namespace CertPolicy.Cli.Judging;

/// <summary>
/// Opens an approvals file through the library's <see cref="FileApprovalStore"/>, as agents do, after checking the
/// path: a folder given as the file, or a folder that does not exist, is an error, and nothing is ever created.
/// </summary>
internal static class ApprovalsAccess
{
    /// <summary>
    /// A read-only store over <paramref name="path"/> (it never renames, creates, locks or writes anything), read once
    /// now so that an unusable file (damaged, unreadable, a folder) is reported at once.
    /// </summary>
    /// <exception cref="CliException">The path is not valid, or the file cannot be read.</exception>
    public static FileApprovalStore OpenForReading(string path, TimeProvider timeProvider)
    {
        string fullPath = CheckPath(path);
        FileApprovalStore store = FileApprovalStore.OpenReadOnly(fullPath, timeProvider);
        try
        {
            _ = store.List();
        }
        catch (ApprovalStoreException ex)
        {
            throw new CliException(Describe(ex), ex);
        }

        return store;
    }

    /// <summary>A store that can change <paramref name="path"/>, whose folder must exist; a rewritten file keeps its owner, group and mode.</summary>
    /// <exception cref="CliException">The path is not valid.</exception>
    public static FileApprovalStore OpenForChanging(string path, TimeProvider timeProvider, MessageCollector messages) =>
        new(CheckPath(path), timeProvider, messages);

    /// <summary>The approvals file used when none is given: the one agents of this account use by default.</summary>
    /// <exception cref="CliException">The account has no local application data folder.</exception>
    public static string DefaultPath() =>
        FileApprovalStore.DefaultFilePath ?? throw new CliException("this account has no local application data folder; name the approvals file with --approvals FILE.");

    /// <summary>The library's message, which names the file and says what is wrong (a permission failure says so).</summary>
    public static string Describe(ApprovalStoreException exception) =>
        exception.InnerException is UnauthorizedAccessException && !exception.Message.Contains("permission denied", StringComparison.Ordinal)
            ? $"{exception.Message} (permission denied)"
            : exception.Message;

    /// <summary>The full path, once it is known to name a possible file in an existing folder.</summary>
    /// <exception cref="CliException">The path is not valid, is a folder, or its folder does not exist.</exception>
    private static string CheckPath(string path)
    {
        string fullPath;
        try
        {
            fullPath = Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CliException($"'{path}' is not a valid approvals file path: {ex.Message}", ex);
        }

        if (Directory.Exists(fullPath) || Path.EndsInDirectorySeparator(path))
        {
            throw new CliException($"'{fullPath}' is a folder, not a file: name the approvals file itself (for example {Path.Combine(Path.TrimEndingDirectorySeparator(fullPath), "approvals.json")}).");
        }

        string folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
        {
            throw new CliException($"the folder '{folder}' does not exist, so there is no approvals file '{fullPath}'; nothing was created.");
        }

        return fullPath;
    }
}
