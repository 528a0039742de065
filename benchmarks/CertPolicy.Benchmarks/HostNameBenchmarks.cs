using System.Net;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using CertPolicy.Tests.Support;

namespace CertPolicy.Benchmarks;

/// <summary>The certificate shapes host-name matching is measured on.</summary>
public enum HostNameCase
{
    /// <summary>Four DNS names in the SAN, the host is the last.</summary>
    ExactAmongFour,

    /// <summary>One wildcard DNS name (*.example.com) covering the host.</summary>
    Wildcard,

    /// <summary>Three DNS names, one a wildcard, none covering the host.</summary>
    Mismatch,

    /// <summary>An IPv4 address in the SAN, the host is that address.</summary>
    IPv4Address,
}

/// <summary>
/// Host-name matching (RFC 6125/9525, SAN only) against <see cref="X509Certificate2.MatchesHostname"/> without the
/// subject-CN fallback. CertPolicy matches against the SAN entries its parser decoded once for the whole validation
/// (<c>HostNameMatcher</c>, internal), so this measures the matching alone; the platform's method decodes the SAN
/// extension on every call, which is part of its cost.
/// </summary>
[MemoryDiagnoser]
public class HostNameBenchmarks : IDisposable
{
    private X509Certificate2 _certificate = null!;
    private ServerIdentity _identity = null!;
    private IReadOnlyList<string> _dnsNames = [];
    private IReadOnlyList<ReadOnlyMemory<byte>> _ipAddresses = [];
    private bool _expected;

    [Params(HostNameCase.ExactAmongFour, HostNameCase.Wildcard, HostNameCase.Mismatch, HostNameCase.IPv4Address)]
    public HostNameCase Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using X509Certificate2 root = TestPki.CreateRoot("CertPolicy Benchmark Host Name Root");
        (string host, string[] names, IPAddress[] addresses, _expected) = Case switch
        {
            HostNameCase.ExactAmongFour => ("ems.example.com", new[] { "www.example.com", "api.example.com", "mail.example.com", "ems.example.com" }, Array.Empty<IPAddress>(), true),
            HostNameCase.Wildcard => ("ems.example.com", ["*.example.com"], [], true),
            HostNameCase.Mismatch => ("ems.example.com", ["www.example.com", "api.example.com", "*.internal.example.com"], [], false),
            HostNameCase.IPv4Address => ("192.0.2.10", [], [IPAddress.Parse("192.0.2.10")], true),
            _ => throw new InvalidOperationException($"Unknown case {Case}."),
        };
        _certificate = TestPki.CreateLeaf(root, names, addresses, commonName: "benchmark");
        _identity = ServerIdentity.Create(host);
        if (!ParsedCertificate.TryParse(_certificate.RawData, out ParsedCertificate? parsed, out string? error))
        {
            throw new InvalidOperationException(error);
        }

        _dnsNames = parsed.DnsNames;
        _ipAddresses = parsed.IPAddresses;
        if (PlatformMatchesHostname() != _expected || CertPolicyHostNameMatcher() != _expected)
        {
            throw new InvalidOperationException($"The matchers disagree with the expected outcome of {Case}.");
        }
    }

    [Benchmark(Baseline = true)]
    public bool PlatformMatchesHostname() => _certificate.MatchesHostname(_identity.Host, allowWildcards: true, allowCommonName: false);

    [Benchmark]
    public bool CertPolicyHostNameMatcher() => HostNameMatcher.Matches(_identity, _dnsNames, _ipAddresses);

    [GlobalCleanup]
    public void Dispose()
    {
        _certificate?.Dispose();
        GC.SuppressFinalize(this);
    }
}
