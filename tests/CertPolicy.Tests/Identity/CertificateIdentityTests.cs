using System.Net;
using System.Security.Cryptography.X509Certificates;
using CertPolicy.Tests.Support;

namespace CertPolicy.Tests.Identity;

/// <summary>
/// The matcher on real certificates, and beside it what <see cref="X509Certificate2.MatchesHostname"/> says, to show
/// the holes this library closes. The platform's answer is written to the test output, not asserted: it may change.
/// </summary>
public sealed class CertificateIdentityTests(ITestOutputHelper output) : IDisposable
{
    private readonly X509Certificate2 _root = TestPki.CreateRoot();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("server.example.test", "server.example.test", true)]
    [InlineData("SERVER.Example.Test.", "server.example.test", true)]
    [InlineData("other.example.test", "server.example.test", false)]
    [InlineData("foo.example.com", "*.example.com", true)]
    [InlineData("example.com", "*.example.com", false)]
    [InlineData("a.b.example.com", "*.example.com", false)]
    [InlineData("foo\u3002example.com", "*.example.com", true)] // MatchesHostname: false (it does not split on U+3002)
    [InlineData("bücher.example", "bücher.example", true)] // the builder writes the A-label
    [InlineData("xn--bcher-kva.example", "bücher.example", true)]
    [InlineData("google.com", "*.com", false)] // MatchesHostname: true
    [InlineData("example.co.uk", "*.co.uk", false)] // MatchesHostname: true
    [InlineData("example.s3.amazonaws.com", "*.s3.amazonaws.com", false)] // MatchesHostname: true
    [InlineData("example.com", "example.com.", false)] // MatchesHostname: true
    [InlineData("baz.example.com", "ba*.example.com", false)]
    [InlineData("xn--bliss-1b3c148a.example.com", "xn--*-1b3c148a.example.com", false)]
    public void A_DNS_host_is_matched_against_the_certificates_DNS_names(string host, string sanName, bool expected)
    {
        using X509Certificate2 leaf = TestPki.CreateLeaf(_root, dnsNames: [sanName], commonName: "unrelated");

        bool ours = Matches(ServerIdentity.Create(host), leaf);

        Assert.Equal(expected, ours);
        Report(leaf, host, ours);
    }

    [Fact]
    public void An_IP_host_matches_an_IP_address_entry()
    {
        using X509Certificate2 leaf = TestPki.CreateLeaf(_root, dnsNames: [], ipAddresses: [IPAddress.Loopback, IPAddress.IPv6Loopback]);

        Assert.True(Matches(ServerIdentity.Create("127.0.0.1"), leaf));
        Assert.True(Matches(ServerIdentity.Create("[::1]"), leaf));
        Assert.False(Matches(ServerIdentity.Create("127.0.0.2"), leaf));
        Assert.False(Matches(ServerIdentity.Create("localhost"), leaf));
    }

    [Fact]
    public void An_IP_host_never_matches_the_subject_common_name()
    {
        using X509Certificate2 leaf = TestPki.CreateLeaf(_root, dnsNames: [], commonName: "127.0.0.1", includeSan: false);

        bool ours = Matches(ServerIdentity.Create("127.0.0.1"), leaf);

        Assert.False(ours); // MatchesHostname: true, from the common name
        Report(leaf, "127.0.0.1", ours);
    }

    [Fact]
    public void A_DNS_host_never_matches_the_subject_common_name()
    {
        using X509Certificate2 leaf = TestPki.CreateLeaf(_root, dnsNames: [], commonName: "server.example.test", includeSan: false);

        bool ours = Matches(ServerIdentity.Create("server.example.test"), leaf);

        Assert.False(ours); // MatchesHostname: true, from the common name
        Report(leaf, "server.example.test", ours);
    }

    [Fact]
    public void An_IP_host_never_matches_a_DNS_name_that_spells_it()
    {
        using X509Certificate2 leaf = TestPki.CreateLeaf(_root, dnsNames: ["127.0.0.1"], commonName: "127.0.0.1");

        HostNameMatch match = Match(ServerIdentity.Create("127.0.0.1"), leaf);

        Assert.False(match.IsMatch);
        Assert.Contains("as a DNS name, which does not count", match.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_underscore_name_can_neither_be_a_host_nor_match()
    {
        using X509Certificate2 leaf = TestPki.CreateLeaf(_root, dnsNames: ["foo_bar.example.com", "*.example.com"]);
        (string[] dnsNames, _) = SubjectAlternativeNames(leaf);

        Assert.False(ServerIdentity.TryCreate("foo_bar.example.com", 443, out _, out string? error));
        Assert.Contains("underscore", error, StringComparison.Ordinal);
        Assert.Equal(PresentedNameDefect.Underscore, PresentedDnsName.Check(dnsNames[0], out _));
        Assert.True(Matches(ServerIdentity.Create("foo-bar.example.com"), leaf));
    }

    private static bool Matches(ServerIdentity identity, X509Certificate2 certificate)
    {
        (string[] dnsNames, ReadOnlyMemory<byte>[] ipAddresses) = SubjectAlternativeNames(certificate);
        bool matches = HostNameMatcher.Matches(identity, dnsNames, ipAddresses);
        Assert.Equal(matches, HostNameMatcher.Match(identity, dnsNames, ipAddresses).IsMatch);
        return matches;
    }

    private static HostNameMatch Match(ServerIdentity identity, X509Certificate2 certificate)
    {
        (string[] dnsNames, ReadOnlyMemory<byte>[] ipAddresses) = SubjectAlternativeNames(certificate);
        return HostNameMatcher.Match(identity, dnsNames, ipAddresses);
    }

    private static (string[] DnsNames, ReadOnlyMemory<byte>[] IPAddresses) SubjectAlternativeNames(X509Certificate2 certificate)
    {
        X509Extension? extension = certificate.Extensions["2.5.29.17"];
        if (extension is null)
        {
            return ([], []);
        }

        var san = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
        return ([.. san.EnumerateDnsNames()], [.. san.EnumerateIPAddresses().Select(a => (ReadOnlyMemory<byte>)a.GetAddressBytes())]);
    }

    private void Report(X509Certificate2 certificate, string host, bool ours)
    {
        string platform;
        try
        {
            platform = certificate.MatchesHostname(host).ToString();
        }
        catch (ArgumentException e)
        {
            platform = $"throws {e.GetType().Name}";
        }

        (string[] dnsNames, _) = SubjectAlternativeNames(certificate);
        output.WriteLine($"host {host}, SAN [{string.Join(", ", dnsNames)}], {certificate.Subject}: CertPolicy {ours}, X509Certificate2.MatchesHostname {platform}");
    }
}
