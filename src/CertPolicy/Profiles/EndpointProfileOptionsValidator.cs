using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>
/// Checks an endpoint profile's settings, naming the profile and the setting in every failure, and loads the trust
/// store and revocation lists it names so that a missing or malformed file fails at start-up (or rejects a reload).
/// </summary>
internal sealed class EndpointProfileOptionsValidator : IValidateOptions<EndpointProfileOptions>
{
    public ValidateOptionsResult Validate(string? name, EndpointProfileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> failures = Check(name ?? Options.DefaultName, options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every failure, each naming the profile and the setting.</summary>
    public static List<string> Check(string profileName, EndpointProfileOptions options)
    {
        var failures = new List<string>();
        void Fail(string setting, string message) => failures.Add($"Endpoint profile '{profileName}', setting {setting}: {message}");

        if (!Enum.IsDefined(options.InvalidCertificateAction))
        {
            Fail(nameof(options.InvalidCertificateAction), $"'{options.InvalidCertificateAction}' is not Allow, Warn or Deny.");
        }

        if (options.PromptTimeout <= TimeSpan.Zero || options.PromptTimeout > CertificateDecisionEngineOptions.MaxPromptTimeout)
        {
            Fail(nameof(options.PromptTimeout), $"must be more than zero and at most one day; it is {options.PromptTimeout}.");
        }

        // The validator's own settings are checked by the validator's rules, so the two never disagree.
        try
        {
            ToValidatorOptions(options, TrustStore.System, []).Validate();
        }
        catch (ArgumentException ex)
        {
            string setting = ex.ParamName ?? "?";
            Fail(setting, ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal));
        }

        CheckFingerprints(options, Fail);
        CheckApprovalsFile(options.ApprovalsFile, message => Fail(nameof(options.ApprovalsFile), message));
        ProfileResources.TryLoad(options, Fail);
        return failures;
    }

    public static CertificateValidatorOptions ToValidatorOptions(EndpointProfileOptions options, TrustStore trustStore, IReadOnlyList<ReadOnlyMemory<byte>> revocationLists)
    {
        var validatorOptions = new CertificateValidatorOptions
        {
            TrustStore = trustStore,
            Mode = options.Mode,
            ExpectedSubject = string.IsNullOrWhiteSpace(options.ExpectedSubject) ? null : options.ExpectedSubject,
            ClockSkew = options.ClockSkew,
            MaxChainDepth = options.MaxChainDepth,
            MaxSignatureChecks = options.MaxSignatureChecks,
        };
        foreach (ReadOnlyMemory<byte> list in revocationLists)
        {
            validatorOptions.RevocationLists.Add(list);
        }

        return validatorOptions;
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
