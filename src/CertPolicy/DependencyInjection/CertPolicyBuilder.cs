using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>Registers endpoint profiles; returned by <c>AddCertPolicy</c>.</summary>
public sealed class CertPolicyBuilder
{
    private readonly ProfileRegistry _registry;

    internal CertPolicyBuilder(IServiceCollection services, ProfileRegistry registry)
    {
        Services = services;
        _registry = registry;
    }

    /// <summary>The services being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds one profile per child section of <paramref name="profiles"/> (for example the <c>CertPolicy:Profiles</c>
    /// section), named by the section's key and bound from it. Profiles are the ones present now: a later
    /// configuration reload changes their settings, but does not add or remove profiles.
    /// </summary>
    /// <param name="profiles">The section whose children are profiles.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">A child section's key is empty or white space, so the profile has no name.</exception>
    public CertPolicyBuilder AddProfiles(IConfiguration profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        foreach (IConfigurationSection section in profiles.GetChildren())
        {
            if (string.IsNullOrWhiteSpace(section.Key))
            {
                throw new ArgumentException($"The configuration section '{section.Path}' is an endpoint profile without a name: give it one.", nameof(profiles));
            }

            AddProfile(section.Key, section);
        }

        return this;
    }

    /// <summary>
    /// Adds a profile bound from a configuration section, following its reloads. A key that is not a setting fails
    /// start-up, so a misspelt setting cannot silently fall back to its default.
    /// </summary>
    /// <param name="name">The profile's name.</param>
    /// <param name="configuration">The profile's section.</param>
    /// <returns>This builder.</returns>
    public CertPolicyBuilder AddProfile(string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        OptionsBuilder<EndpointProfileOptions> profile = Register(name);
        string canonical = profile.Name;
        profile.Configure(options => ProfileBinder.Bind(canonical, configuration, options));
        Services.AddSingleton<IOptionsChangeTokenSource<EndpointProfileOptions>>(new ConfigurationChangeTokenSource<EndpointProfileOptions>(canonical, configuration));
        return this;
    }

    /// <summary>Adds a profile configured in code.</summary>
    /// <param name="name">The profile's name.</param>
    /// <param name="configure">Sets the profile's settings.</param>
    /// <returns>This builder.</returns>
    public CertPolicyBuilder AddProfile(string name, Action<EndpointProfileOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Register(name).Configure(configure);
        return this;
    }

    private OptionsBuilder<EndpointProfileOptions> Register(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string canonical = _registry.Add(name);
        return Services.AddOptions<EndpointProfileOptions>(canonical).ValidateOnStart();
    }
}
