using System.Security.Authentication;
using CertPolicy.Cli.Tls;
using CertPolicy.Cli.Tests.Support;

namespace CertPolicy.Cli.Tests.Tls;

public sealed class ServerCertificateFetcherTests : IDisposable
{
    private readonly TestChain _chain = new();

    public void Dispose() => _chain.Dispose();

    [Fact]
    public async Task Takes_the_leaf_first_then_the_intermediates_the_server_sends()
    {
        await using LoopbackTlsServer server = _chain.StartServer();

        FetchedCertificates presented = await ServerCertificateFetcher.FetchAsync(
            "127.0.0.1", server.Port, TestChain.ServerName, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(2, presented.Certificates.Count);
        Assert.Equal(_chain.Leaf.RawData, presented.Certificates[0].ToArray());
        Assert.Equal(_chain.Intermediate.RawData, presented.Certificates[1].ToArray());
        Assert.True(presented.Protocol is SslProtocols.Tls13 or SslProtocols.Tls12, presented.Protocol.ToString());
        Assert.Equal($"127.0.0.1:{server.Port}", presented.RemoteEndPoint?.ToString());
    }

    [Fact]
    public async Task A_certificate_nothing_trusts_is_still_taken_for_judgement()
    {
        using X509Certificate2Holder selfSigned = new(TestPki.CreateSelfSignedLeaf("vendor-default.example.test"));
        await using LoopbackTlsServer server = LoopbackTlsServer.Start(selfSigned.Certificate);

        FetchedCertificates presented = await ServerCertificateFetcher.FetchAsync(
            "127.0.0.1", server.Port, "anything.example.test", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(selfSigned.Certificate.RawData, Assert.Single(presented.Certificates).ToArray());
    }

    [Fact]
    public async Task A_refused_connection_is_an_error_naming_the_server()
    {
        await using LoopbackTlsServer server = _chain.StartServer();
        int port = server.Port;
        await server.DisposeAsync();

        CliException error = await Assert.ThrowsAsync<CliException>(() => ServerCertificateFetcher.FetchAsync(
            "127.0.0.1", port, TestChain.ServerName, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));

        Assert.StartsWith($"cannot connect to 127.0.0.1:{port}: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::1", 443, "[::1]:443")]
    [InlineData("127.0.0.1", 8443, "127.0.0.1:8443")]
    [InlineData("ems.example.test", 443, "ems.example.test:443")]
    public void Endpoints_are_written_with_IPv6_addresses_in_brackets(string host, int port, string expected) =>
        Assert.Equal(expected, ServerCertificateFetcher.FormatEndpoint(host, port));

    private sealed class X509Certificate2Holder(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) : IDisposable
    {
        public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate { get; } = certificate;

        public void Dispose() => Certificate.Dispose();
    }
}
