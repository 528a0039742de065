using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>
/// Binds a profile from configuration (with the binding source generator: no reflection), turning every binding
/// error into an <see cref="OptionsValidationException"/> that names the profile and the setting.
/// </summary>
internal static class ProfileBinder
{
    private static readonly string[] Settings =
    [
        nameof(EndpointProfileOptions.Mode),
        nameof(EndpointProfileOptions.ExpectedSubject),
        nameof(EndpointProfileOptions.InvalidCertificateAction),
        nameof(EndpointProfileOptions.TrustStore),
        nameof(EndpointProfileOptions.RevocationLists),
        nameof(EndpointProfileOptions.ClockSkew),
        nameof(EndpointProfileOptions.MaxChainDepth),
        nameof(EndpointProfileOptions.MaxSignatureChecks),
        nameof(EndpointProfileOptions.PromptTimeout),
        nameof(EndpointProfileOptions.ApprovalsFile),
        nameof(EndpointProfileOptions.DistrustedFingerprints),
        nameof(EndpointProfileOptions.PreApprovedFingerprints),
    ];

    public static void Bind(string profileName, IConfiguration configuration, EndpointProfileOptions options)
    {
        var failures = new List<string>();
        foreach (IConfigurationSection child in configuration.GetChildren())
        {
            // A misspelt setting must not silently leave the default in force.
            if (!Settings.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Endpoint profile '{profileName}', setting {child.Key}: is not a setting; the settings are {string.Join(", ", Settings)}.");
            }
        }

        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            failures.Add($"Endpoint profile '{profileName}': {ex.Message}");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(profileName, typeof(EndpointProfileOptions), failures);
        }
    }
}
