using CertPolicy;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Connects <c>IHttpClientFactory</c> clients to an endpoint profile.</summary>
public static class CertPolicyHttpClientBuilderExtensions
{
    /// <summary>
    /// Makes the named or typed client judge server certificates with an endpoint profile registered by
    /// <c>AddCertPolicy</c>: its primary handler judges each connection's server by the host and port of the
    /// request, with the profile's current settings and its fast path, and downloads nothing; see
    /// <see cref="HandshakePolicy.CreateHttpHandler"/>. Warn without a remembered approval refuses (an HTTP request
    /// cannot wait for a person). A refusal fails the request with a <see cref="CertificateRejectedException"/> as the
    /// inner exception.
    /// </summary>
    /// <remarks>
    /// The order of the builder calls does not matter: CertPolicy sets up the primary handler the factory finally
    /// builds, after every <c>ConfigurePrimaryHttpMessageHandler</c>. When that handler is one CertPolicy cannot set
    /// up (not a <see cref="SocketsHttpHandler"/>, or one with someone else's certificate callback), creating the
    /// client throws <see cref="InvalidOperationException"/>. The profile name is checked when the host starts
    /// (<c>ValidateOnStart</c>), and again when a client is created.
    /// </remarks>
    /// <param name="builder">The client's builder.</param>
    /// <param name="profileName">The endpoint profile's name (case does not matter).</param>
    /// <returns>The builder.</returns>
    public static IHttpClientBuilder UseCertPolicy(this IHttpClientBuilder builder, string profileName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(profileName);
        builder.Services.AddOptions<CertPolicyHttpClientOptions>(builder.Name)
            .Configure(options => options.ProfileName = profileName)
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CertPolicyHttpClientOptions>, CertPolicyHttpClientOptionsValidator>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, CertPolicyHttpMessageHandlerFilter>());
        return builder;
    }
}
