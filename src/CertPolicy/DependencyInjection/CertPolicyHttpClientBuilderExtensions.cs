using CertPolicy;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Connects <c>IHttpClientFactory</c> clients to an endpoint profile.</summary>
public static class CertPolicyHttpClientBuilderExtensions
{
    /// <summary>
    /// Makes the named or typed client judge server certificates with an endpoint profile registered by
    /// <c>AddCertPolicy</c>: its primary handler validates each server by the host and port of the request, with
    /// the profile's current settings and its fast path. Warn without a remembered approval refuses (an HTTP
    /// request cannot wait for a person); see <see cref="HandshakePolicy.CreateHttpClientHandler"/>.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="profileName">The endpoint profile's name.</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder UseCertPolicy(this IHttpClientBuilder builder, string profileName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        return builder.ConfigurePrimaryHttpMessageHandler(
            services => services.GetRequiredService<EndpointProfileProvider>().GetHandshakePolicy(profileName).CreateHttpClientHandler());
    }
}
