using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CertPolicy.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace CertPolicy.Tests.Hostile.Configuration;

/// <summary>
/// Server names as they reach the library from a JSON configuration file (written by a person, or by an attacker who
/// can edit it), read through the configuration system and parsed with <see cref="ServerIdentity.TryParse"/>. Each
/// one either is refused with a typed error that says why, or becomes an identity that gets the right verdict against
/// a real certificate naming server.example.test, xn--bcher-kva.example, *.wild.example.test, 192.0.2.1 and 2001:db8::1.
/// </summary>
public sealed class OddServerNameTests
{
    /// <summary>Case name, the value as configured, and what must happen.</summary>
    private static readonly (string Case, string Value, Expect Expected)[] Cases =
    [
        ("empty", "", Refused("empty")),
        ("one dot", ".", Refused("only dots")),
        ("dots only", "....", Refused("only dots")),
        ("full-width dots only", "\uFF0E\u3002\uFF61", Refused("only dots")),
        ("consecutive dots", "server..example.test", Refused("empty label (two dots in a row)")),
        ("two trailing dots", "server.example.test..", Refused("empty label")),
        ("leading dot", ".server.example.test", Refused("starts with a dot")),
        ("NUL", "server.example.test\0.evil.test", Refused("NUL character (position 20)")),
        ("line feed", "server.example.test\n", Refused("control character U+000A")),
        ("terminal escape", "server\u001B[31m.example.test", Refused("control character U+001B")),
        ("bidi override", "server\u202Etset.elpmaxe", Refused("not a valid internationalized label")),
        ("zero-width joiner", "ser\u200Dver.example.test", Refused("not a valid internationalized label")),
        ("no-break space", "server.example.test\u00A0", Refused("white space (U+00A0")),
        ("label of 64", new string('a', 64) + ".example.test", Refused("64 octets long; a label has at most 63")),
        ("name of 254", string.Join('.', Enumerable.Repeat(new string('a', 49), 5)) + ".example", Refused("a DNS name has at most 253")),
        ("name of 5000 characters", new string('a', 5000), Refused("5000 characters long")),
        ("underscore", "_acme.server.example.test", Refused("underscore")),
        ("wildcard", "*.wild.example.test", Refused("Wildcards belong in certificates")),
        ("URL", "https://server.example.test/", Refused("looks like a URL")),
        ("Unicode", "bücher.example", Connects("xn--bcher-kva.example", 443)),
        ("Unicode upper case, trailing dot", "BÜCHER.EXAMPLE.:8443", Connects("xn--bcher-kva.example", 8443)),
        ("A-label", "XN--BCHER-KVA.example", Connects("xn--bcher-kva.example", 443)),
        ("punycode that does not decode", "xn--zz.example", Refused("not a valid A-label")),
        ("empty punycode", "xn--.example", Refused("The label 'xn--' of the host name 'xn--.example' ends with a hyphen")),
        ("punycode that does not round-trip", "xn--bcher-kvb.example", Refused("starts with 'xn--' but is not a valid A-label")),
        ("punycode of another name", "xn--mnchen-3ya.example", Mismatch("xn--mnchen-3ya.example", "none of its DNS names matches")),
        ("full-width dots", "server\uFF0Eexample\uFF0Etest", Connects("server.example.test", 443)),
        ("ideographic dots and a port", "server\uFF61example\u3002test:8443", Connects("server.example.test", 8443)),
        ("ideographic trailing dot", "server.example.test\u3002", Connects("server.example.test", 443)),
        ("full-width letters", "\uFF53\uFF45\uFF52\uFF56\uFF45\uFF52.example.test", Connects("server.example.test", 443)),
        ("full-width IPv4", "\uFF11\uFF19\uFF12\uFF0E\uFF10\uFF0E\uFF12\uFF0E\uFF11", Refused("reads as an IP address once mapped to ASCII")),
        ("wildcard, one label", "api.wild.example.test", Connects("api.wild.example.test", 443)),
        ("wildcard, two labels", "a.b.wild.example.test", Mismatch("a.b.wild.example.test", "none of its DNS names matches")),
        ("IPv4", "192.0.2.1:8443", Connects("192.0.2.1", 8443)),
        ("IPv4 short form", "192.0.2", Refused("neither a canonical IPv4 address nor a DNS name")),
        ("IPv4 with leading zeros", "192.000.002.001", Refused("neither a canonical IPv4 address nor a DNS name")),
        ("IPv6 with brackets and port", "[2001:db8::1]:8443", Connects("2001:db8::1", 8443)),
        ("IPv6 written out", "2001:0DB8:0000:0000:0000:0000:0000:0001", Connects("2001:db8::1", 443)),
        ("IPv6 loopback", "[::1]", Mismatch("::1", "none of its IP addresses matches")),
        ("IPv6 zone id", "fe80::1%eth0", Refused("zone id ('%eth0')")),
        ("IPv6 zone id in brackets", "[fe80::1%25eth0]:443", Refused("zone id")),
        ("IPv4-mapped IPv6", "::ffff:192.0.2.1", Mismatch("::ffff:192.0.2.1", "IPv4 and IPv4-mapped IPv6 addresses never match each other")),
        ("IPv4-mapped IPv6 in brackets", "[::FFFF:c000:0201]:443", Mismatch("::ffff:192.0.2.1", "IPv4 and IPv4-mapped IPv6 addresses never match each other")),
        ("IPv6 unclosed bracket", "[2001:db8::1:443", Refused("without a closing ']'")),
        ("IPv4 in brackets", "[192.0.2.1]:443", Refused("brackets are only for IPv6")),
        ("port 0", "server.example.test:0", Refused("Port 0 is out of range")),
        ("port 65536", "server.example.test:65536", Refused("Port 65536 is out of range")),
        ("port beyond 32 bits", "server.example.test:4294967297", Refused("Port 4294967297 is out of range")),
        ("negative port", "server.example.test:-443", Refused("'-443' is not a port number")),
        ("full-width port digits", "server.example.test:\uFF14\uFF14\uFF13", Refused("is not a port number")),
        ("empty port", "server.example.test:", Refused("names no port")),
        ("two ports", "server.example.test:443:443", Refused("not a valid IPv6 address")),
    ];

    private static readonly Lazy<IConfiguration> Configuration = new(() =>
    {
        // The values go through a real JSON file and the configuration system, escapes and all.
        string json = JsonSerializer.Serialize(new { Servers = Cases.Select(c => new { Name = c.Case, Address = c.Value }) });
        return new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
    });

    private static readonly Lazy<(CertificateValidator Validator, ReadOnlyMemory<byte>[] Chain)> Pki = new(() =>
    {
        X509Certificate2 root = TestPki.Issue(null, TestPki.CaSpec("CN=Odd Names Root"));
        X509Certificate2 leaf = TestPki.Issue(root, TestPki.LeafSpec("server.example.test", "xn--bcher-kva.example", "*.wild.example.test") with
        {
            IPAddresses = [IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1")],
        });
        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = TrustStore.FromCertificates([root]) }, new FakeTimeProvider(TestPki.Now));
        return (validator, TestPki.Der(leaf));
    });

    public static TheoryData<string> CaseNames => [.. Cases.Select(c => c.Case)];

    [Fact]
    public void Every_configured_value_arrives_unchanged()
    {
        IConfigurationSection[] servers = [.. Configuration.Value.GetSection("Servers").GetChildren()];

        Assert.Equal(Cases.Length, servers.Length);
        for (int i = 0; i < Cases.Length; i++)
        {
            Assert.Equal(Cases[i].Value, servers[i]["Address"]);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void An_odd_server_name_from_configuration_gets_a_typed_error_or_the_right_verdict(string name)
    {
        (_, _, Expect expected) = Cases.Single(c => c.Case == name);
        string? configured = Configuration.Value.GetSection("Servers").GetChildren().Single(s => s["Name"] == name)["Address"];

        bool parsed = ServerIdentity.TryParse(configured, 443, out ServerIdentity? identity, out string? error);

        if (expected.RefusalFragment is { } fragment)
        {
            Assert.False(parsed, $"'{configured}' was accepted as {identity}");
            Assert.Contains(fragment, error, StringComparison.Ordinal);
            Assert.True(error.AsSpan().IndexOfAny("\0\u001B\u202E\n") < 0, $"the message holds a raw control character: {error}"); // names in messages are escaped
            FormatException thrown = Assert.Throws<FormatException>(() => ServerIdentity.Parse(configured ?? string.Empty));
            Assert.Equal(error, thrown.Message);
            return;
        }

        Assert.True(parsed, error);
        Assert.NotNull(identity);
        Assert.Equal(expected.Host, identity.Host);
        Assert.Equal(expected.Port, identity.Port);
        Assert.Equal(identity, ServerIdentity.Parse(identity.ToString()));

        ValidationReport report = Pki.Value.Validator.Validate(Pki.Value.Chain, identity);
        if (expected.MismatchFragment is { } reason)
        {
            CertificateProblem mismatch = Assert.Single(report.Modern.Problems);
            Assert.Equal(CertificateProblemKinds.NameMismatch, mismatch.Kind);
            Assert.Contains(reason, mismatch.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(report.IsValid, string.Join(" | ", report.Modern.Problems));
        }
    }

    private static Expect Refused(string fragment) => new(fragment, null, 0, null);

    private static Expect Connects(string host, int port) => new(null, host, port, null);

    private static Expect Mismatch(string host, string reason) => new(null, host, 443, reason);

    private sealed record Expect(string? RefusalFragment, string? Host, int Port, string? MismatchFragment);
}
