using System.Diagnostics.CodeAnalysis;
using CertPolicy;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The endpoint profile an HTTP client uses, named by the client's name (set by <c>UseCertPolicy</c>).</summary>
internal sealed class CertPolicyHttpClientOptions
{
    public string? ProfileName { get; set; }
}

/// <summary>Checks, when the host starts, that every profile named by <c>UseCertPolicy</c> is registered.</summary>
internal sealed class CertPolicyHttpClientOptionsValidator(IServiceProvider services) : IValidateOptions<CertPolicyHttpClientOptions>
{
    public ValidateOptionsResult Validate(string? name, CertPolicyHttpClientOptions options)
    {
        if (options.ProfileName is not { } profile)
        {
            return ValidateOptionsResult.Skip;
        }

        if (services.GetService(typeof(EndpointProfileProvider)) is not EndpointProfileProvider provider)
        {
            return ValidateOptionsResult.Fail($"HttpClient '{name}' uses CertPolicy profile '{profile}', but AddCertPolicy registered no profiles.");
        }

        return provider.ProfileNames.Contains(profile, StringComparer.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"HttpClient '{name}' uses CertPolicy profile '{profile}', which is not registered. Known profiles: {string.Join(", ", provider.ProfileNames)}.");
    }
}

/// <summary>
/// Sets up the primary handler of every client that uses CertPolicy, after all of the client's own configuration
/// has run (so the order of the builder calls does not matter), or fails the client's creation when it cannot.
/// </summary>
[SuppressMessage("Performance", "CA1812", Justification = "Created by dependency injection.")]
internal sealed class CertPolicyHttpMessageHandlerFilter(IOptionsMonitor<CertPolicyHttpClientOptions> clients, IServiceProvider services) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            if (clients.Get(builder.Name).ProfileName is not { } profile)
            {
                return;
            }

            var provider = (EndpointProfileProvider?)services.GetService(typeof(EndpointProfileProvider))
                ?? throw new InvalidOperationException($"HttpClient '{builder.Name}' uses CertPolicy profile '{profile}', but AddCertPolicy was not called.");
            HandshakePolicy policy = provider.GetHandshakePolicy(profile);
            if (builder.PrimaryHandler is not SocketsHttpHandler handler)
            {
                throw new InvalidOperationException(
                    $"HttpClient '{builder.Name}' uses CertPolicy profile '{profile}', but its primary handler is a {builder.PrimaryHandler?.GetType().FullName ?? "null"}, "
                    + "which CertPolicy cannot set up to judge certificates (and which might download or trust on its own). Let the factory build its "
                    + "default primary handler, or configure a SocketsHttpHandler without a certificate callback.");
            }

            try
            {
                policy.Configure(handler);
            }
            catch (InvalidOperationException e)
            {
                throw new InvalidOperationException($"HttpClient '{builder.Name}' uses CertPolicy profile '{profile}', but its primary handler cannot be set up: {e.Message}", e);
            }
        };
    }
}
