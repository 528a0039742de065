using CertPolicy.Tests.Approvals;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Handshake;

/// <summary>
/// Services with one endpoint profile, "Management" (trusting <see cref="HandshakePki.Root"/> from a PEM file in a
/// temp folder), for <c>IHttpClientFactory</c> clients that use it through <c>UseCertPolicy</c>.
/// </summary>
internal sealed class HttpClientFactoryKit : IDisposable
{
    public const string Profile = "Management";

    private readonly TempDirectory _directory = new();

    public HttpClientFactoryKit(InvalidCertificateAction action = InvalidCertificateAction.Deny)
    {
        string roots = _directory.File("roots.pem");
        File.WriteAllText(roots, TestPki.ToPem(HandshakePki.Root));
        Services = new ServiceCollection().AddSingleton<TimeProvider>(new FakeTimeProvider(TestPki.Now));
        Services.AddCertPolicy(policy => policy.AddProfile(Profile, options =>
        {
            options.InvalidCertificateAction = action;
            options.TrustStore = roots;
            options.ApprovalsFile = _directory.File("approvals.json");
        }));
    }

    public IServiceCollection Services { get; }

    /// <summary>GETs <paramref name="uri"/> through the named client and returns the refusal the request failed with.</summary>
    public static async Task<CertificateRejectedException> RefusedAsync(HttpClient client, Uri uri)
    {
        HttpRequestException failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync(uri, TestContext.Current.CancellationToken));
        return CertificateRejectedException.Find(failure) ?? throw new Xunit.Sdk.XunitException($"Not a CertPolicy refusal: {failure}");
    }

    public void Dispose() => _directory.Dispose();
}
