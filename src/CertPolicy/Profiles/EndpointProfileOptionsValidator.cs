using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>
/// Checks an endpoint profile's settings, naming the profile and the setting in every failure: the limits each
/// property declares (by the source-generated <see cref="EndpointProfileOptionsAttributes"/>), the rules between
/// settings, and that the files named can be loaded, so that a missing or malformed file fails at start-up (or rejects
/// a reload). It keeps nothing it loads: a profile loads its own files when it is built.
/// </summary>
internal sealed class EndpointProfileOptionsValidator : IValidateOptions<EndpointProfileOptions>
{
    private readonly EndpointProfileOptionsAttributes _attributes = new();

    /// <summary>A failure as every profile error words it.</summary>
    public static string Failure(string profileName, string setting, string message) => $"Endpoint profile '{profileName}', setting {setting}: {message}";

    public ValidateOptionsResult Validate(string? name, EndpointProfileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string profileName = name ?? Options.DefaultName;
        var failures = new List<string>();
        void Fail(string setting, string message) => failures.Add(Failure(profileName, setting, message));

        // The generated validator words a failure "<Setting>: <what is wrong>".
        foreach (string failure in _attributes.Validate(profileName, options).Failures ?? [])
        {
            failures.Add($"Endpoint profile '{profileName}', setting {failure}");
        }

        if (options.Mode is ValidationMode.Legacy or ValidationMode.ReportOnly && string.IsNullOrWhiteSpace(options.ExpectedSubject))
        {
            Fail(nameof(options.ExpectedSubject), options.Mode == ValidationMode.Legacy ? "must be set in legacy mode." : "must be set in report-only mode (ReportOnly connects by the legacy rule).");
        }

        CheckFingerprints(options, Fail);
        CheckApprovalsFile(options.ApprovalsFile, message => Fail(nameof(options.ApprovalsFile), message));
        ProfileResources.Check(options, Fail);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The distrust list and pre-approvals, read by the engine's own rules so the two never disagree.</summary>
    private static void CheckFingerprints(EndpointProfileOptions options, Action<string, string> fail)
    {
        try
        {
            _ = Distrust.Parse(options.DistrustedFingerprints, nameof(options.DistrustedFingerprints));
            _ = PreApprovals.Parse(options.PreApprovedFingerprints, nameof(options.PreApprovedFingerprints));
        }
        catch (ArgumentException ex)
        {
            fail(ex.ParamName ?? "?", ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal));
        }
    }

    private static void CheckApprovalsFile(string? file, Action<string> fail)
    {
        if (string.IsNullOrWhiteSpace(file))
        {
            return;
        }

        try
        {
            string path = ProfilePaths.Resolve(file);
            if (Path.EndsInDirectorySeparator(path) || Directory.Exists(path))
            {
                fail($"'{path}' is a folder; name a file.");
            }
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            fail($"'{file}' is not a valid path: {ex.Message}");
        }
    }
}

/// <summary>Checks the limits <see cref="EndpointProfileOptions"/>' properties declare (generated from their attributes).</summary>
[OptionsValidator]
internal sealed partial class EndpointProfileOptionsAttributes : IValidateOptions<EndpointProfileOptions>
{
}
