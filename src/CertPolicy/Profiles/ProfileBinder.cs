using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>
/// Binds a profile from configuration (with the binding source generator: no reflection), turning every binding
/// error into an <see cref="OptionsValidationException"/> that names the profile and the setting. A key that is not a
/// setting is an error (the generator knows the settings: <see cref="BinderOptions.ErrorOnUnknownConfiguration"/>),
/// so a misspelt setting cannot silently leave its default in force.
/// </summary>
internal static class ProfileBinder
{
    public static void Bind(string profileName, IConfiguration configuration, EndpointProfileOptions options)
    {
        try
        {
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex)
        {
            throw new OptionsValidationException(profileName, typeof(EndpointProfileOptions), [$"Endpoint profile '{profileName}': {ex.Message}"]);
        }

        options.BoundFrom = Flatten(configuration);
    }

    /// <summary>The section's keys and values, in key order, as one string.</summary>
    private static string Flatten(IConfiguration configuration) => string.Join(
        '\u001F',
        configuration.AsEnumerable(makePathsRelative: true)
            .OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase)
            .Select(pair => pair.Value is null ? pair.Key : $"{pair.Key}\u001E{pair.Value}"));
}
