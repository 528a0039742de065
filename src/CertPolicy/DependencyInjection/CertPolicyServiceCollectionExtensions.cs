using System.Diagnostics.Metrics;
using CertPolicy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers CertPolicy's endpoint profiles and decision engines.</summary>
public static class CertPolicyServiceCollectionExtensions
{
    /// <summary>
    /// Registers the endpoint profiles of a configuration section shaped like
    /// <c>{ "Profiles": { "Management": { "InvalidCertificateAction": "Warn", ... } } }</c>, and
    /// <see cref="EndpointProfileProvider"/> to get their engines. Bad settings fail at start-up (ValidateOnStart)
    /// naming the profile and the setting.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The CertPolicy section, for example <c>configuration.GetSection("CertPolicy")</c>.</param>
    /// <returns>A builder to add more profiles.</returns>
    /// <exception cref="ArgumentException">A profile's key is empty or white space, so it has no name.</exception>
    public static CertPolicyBuilder AddCertPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddCertPolicy(builder => builder.AddProfiles(configuration.GetSection("Profiles")));
    }

    /// <summary>
    /// Registers <see cref="EndpointProfileProvider"/> and the profiles <paramref name="configure"/> adds. Register an
    /// <see cref="ICertificatePrompt"/> (or one keyed by a profile's name) for the profiles that warn; without one,
    /// invalid certificates are refused. Uses the registered <see cref="TimeProvider"/> (the system clock if none),
    /// <see cref="ILoggerFactory"/> and <see cref="IMeterFactory"/> when present.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adds profiles.</param>
    /// <returns>A builder to add more profiles.</returns>
    public static CertPolicyBuilder AddCertPolicy(this IServiceCollection services, Action<CertPolicyBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        CertPolicyBuilder builder = services.AddCertPolicy();
        configure(builder);
        return builder;
    }

    /// <summary>
    /// Registers <see cref="EndpointProfileProvider"/> with no profile yet: add them with the returned builder.
    /// Register an <see cref="ICertificatePrompt"/> (or one keyed by a profile's name) for the profiles that warn;
    /// without one, invalid certificates are refused.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to add profiles.</returns>
    public static CertPolicyBuilder AddCertPolicy(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EndpointProfileOptions>, EndpointProfileOptionsValidator>());

        ProfileRegistry? registry = null;
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(ProfileRegistry) && !descriptor.IsKeyedService && descriptor.ImplementationInstance is ProfileRegistry existing)
            {
                registry = existing;
                break;
            }
        }

        if (registry is null)
        {
            registry = new ProfileRegistry();
            services.AddSingleton(registry);
        }

        services.TryAddSingleton<ProfileRejections>();
        services.TryAddSingleton<IOptionsFactory<EndpointProfileOptions>>(provider => new ProfileOptionsFactory(
            provider.GetServices<IConfigureOptions<EndpointProfileOptions>>(),
            provider.GetServices<IPostConfigureOptions<EndpointProfileOptions>>(),
            provider.GetServices<IValidateOptions<EndpointProfileOptions>>(),
            provider.GetRequiredService<ProfileRejections>()));
        services.TryAddSingleton(provider =>
        {
            ProfileRegistry profiles = provider.GetRequiredService<ProfileRegistry>();
            return new EndpointProfileProvider(
                profiles,
                provider.GetRequiredService<IOptionsMonitor<EndpointProfileOptions>>(),
                provider.GetRequiredService<ProfileRejections>(),
                FindPrompts(provider, profiles),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetService<ILoggerFactory>(),
                provider.GetService<IMeterFactory>());
        });

        return new CertPolicyBuilder(services, registry);
    }

    /// <summary>Each profile's prompt: the one registered with the profile's name as key, else the one registered for all.</summary>
    private static Dictionary<string, ICertificatePrompt?> FindPrompts(IServiceProvider provider, ProfileRegistry profiles)
    {
        var prompts = new Dictionary<string, ICertificatePrompt?>(StringComparer.Ordinal);
        ICertificatePrompt? general = provider.GetService<ICertificatePrompt>();
        foreach (string name in profiles.Names)
        {
            prompts[name] = (provider as IKeyedServiceProvider)?.GetKeyedService(typeof(ICertificatePrompt), name) as ICertificatePrompt ?? general;
        }

        return prompts;
    }
}
