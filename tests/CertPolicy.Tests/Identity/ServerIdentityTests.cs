namespace CertPolicy.Tests.Identity;

public sealed class ServerIdentityTests
{
    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("EXAMPLE.Com", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("localhost", "localhost")]
    [InlineData("ems", "ems")]
    [InlineData("a.b-c.d1e", "a.b-c.d1e")]
    [InlineData("123.example.com", "123.example.com")]
    [InlineData("r4---sn-abc.example.com", "r4---sn-abc.example.com")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("bücher.example.", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("XN--BCHER-KVA.example", "xn--bcher-kva.example")]
    [InlineData("ß.de", "xn--zca.de")]
    [InlineData("例え.テスト", "xn--r8jz45g.xn--zckzah")]
    [InlineData("example\u3002com", "example.com")]
    [InlineData("example\uFF0Ecom", "example.com")]
    [InlineData("example\uFF61com", "example.com")]
    [InlineData("example.com\u3002", "example.com")]
    [InlineData("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com")]
    [InlineData("foo\u3002bücher\uFF0Eexample", "foo.xn--bcher-kva.example")]
    [InlineData("exa\u00ADmple.com", "example.com")] // UTS #46 maps the soft hyphen to nothing
    [InlineData("exa\u200Bmple.com", "example.com")] // and the zero-width space
    [InlineData("İstanbul.tr", "xn--istanbul-o0e.tr")]
    public void A_DNS_name_is_normalised_to_lower_case_ASCII_without_trailing_dot(string host, string expected)
    {
        ServerIdentity identity = ServerIdentity.Create(host);

        Assert.Equal(expected, identity.Host);
        Assert.False(identity.IsIPAddress);
        Assert.Null(identity.IPAddress);
    }

    [Fact]
    public void Label_and_name_length_limits_are_inclusive()
    {
        string label63 = new('a', 63);
        string name253 = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));

        Assert.Equal(253, name253.Length);
        Assert.Equal(label63 + ".example", ServerIdentity.Create(label63 + ".example").Host);
        Assert.Equal(name253, ServerIdentity.Create(name253).Host);
        Assert.Equal(name253, ServerIdentity.Create(name253 + ".").Host);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("0.0.0.0", "0.0.0.0")]
    [InlineData("255.255.255.255", "255.255.255.255")]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("::1", "::1")]
    [InlineData("[::1]", "::1")]
    [InlineData("::", "::")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("2001:0db8::0001", "2001:db8::1")]
    [InlineData("[2001:db8::8a2e:370:7334]", "2001:db8::8a2e:370:7334")]
    [InlineData("1:0:0:2:0:0:0:3", "1:0:0:2::3")]
    [InlineData("1:0:0:2:0:0:3:4", "1::2:0:0:3:4")]
    [InlineData("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7")]
    [InlineData("1::", "1::")]
    [InlineData("::1:443", "::1:443")]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    [InlineData("::FFFF:c000:0201", "::ffff:192.0.2.1")]
    [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
    public void An_IP_address_is_kept_as_an_address_in_canonical_form(string host, string expected)
    {
        ServerIdentity identity = ServerIdentity.Create(host);

        Assert.True(identity.IsIPAddress);
        Assert.Equal(expected, identity.Host);
        Assert.Equal(System.Net.IPAddress.Parse(expected), identity.IPAddress);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(".", "only dots")]
    [InlineData("..", "only dots")]
    [InlineData("...", "only dots")]
    [InlineData("\u3002", "only dots")]
    [InlineData("a..b", "empty label")]
    [InlineData("example.com..", "empty label")]
    [InlineData(".example.com", "starts with a dot")]
    [InlineData("exa\0mple.com", "NUL character (position 4)")]
    [InlineData("example.com\0.evil.com", "NUL character")]
    [InlineData("exa\u0001mple.com", "control character U+0001")]
    [InlineData("example.com\t", "control character U+0009")]
    [InlineData("exa\u007Fmple.com", "control character U+007F")]
    [InlineData("exa\u0085mple.com", "control character U+0085")]
    [InlineData("exa mple.com", "white space (U+0020, position 4)")]
    [InlineData(" example.com", "white space")]
    [InlineData("example.com ", "white space")]
    [InlineData("exa\u00A0mple.com", "white space (U+00A0")]
    [InlineData("exa\u3000mple.com", "white space (U+3000")]
    [InlineData("foo_bar.example.com", "underscore")]
    [InlineData("_sip.example.com", "underscore")]
    [InlineData("foo_bar.bücher.example", "underscore")]
    [InlineData("-abc.example.com", "starts with a hyphen")]
    [InlineData("abc-.example.com", "ends with a hyphen")]
    [InlineData("example.-com", "starts with a hyphen")]
    [InlineData("*.example.com", "Wildcards belong in certificates")]
    [InlineData("exa$mple.com", "'$' (U+0024)")]
    [InlineData("user@example.com", "'@'")]
    [InlineData("example.com/path", "'/'")]
    [InlineData("https://example.com", "looks like a URL")]
    [InlineData("example.com:443", "contains ':' but is not an IPv6 address")]
    [InlineData("xn--zz.example", "not a valid A-label")]
    [InlineData("xn--ab--cd.example", "not a valid A-label")]
    [InlineData("a\u200Db.example", "not a valid internationalized label")]
    [InlineData("\u0301a.example", "label '\\u0301a' of the host name")]
    [InlineData("\u00AD.example", "not a valid internationalized label")]
    [InlineData("\uD800.example", "not a valid internationalized label")]
    [InlineData("ab\u2024cd.example", "not a valid internationalized label")]
    [InlineData("127.1", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("127.0.1", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("017.0.0.1", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("192.168.001.001", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("0x7f.0.0.1", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("0x7f000001", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("0X7F000001", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("2130706433", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("256.1.1.1", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("1.2.3.4.5", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("example.123", "its last label is a number")]
    [InlineData("１２７．０．０．１", "(in ASCII form '127.0.0.1') reads as an IP address once mapped to ASCII")]
    [InlineData("fe80::1%eth0", "zone id ('%eth0')")]
    [InlineData("[fe80::1%25eth0]", "zone id")]
    [InlineData("::1%", "zone id")]
    [InlineData("[::1", "unmatched bracket")]
    [InlineData("::1]", "unmatched bracket")]
    [InlineData("[::1]:443", "carries a port; give the port separately, or parse '[address]:port' with ServerIdentity.Parse")]
    [InlineData("[]", "not a valid IPv6 address")]
    [InlineData("[example.com]", "not a valid IPv6 address")]
    [InlineData("[1.2.3.4]", "not a valid IPv6 address")]
    [InlineData("1::2::3", "not a valid IPv6 address")]
    [InlineData("12345::1", "not a valid IPv6 address")]
    [InlineData("1:2:3:4:5:6:7:8:9", "not a valid IPv6 address")]
    [InlineData("::ffff:01.2.3.4", "not a valid IPv6 address")]
    [InlineData("::ffff:1.2.3.04", "not a valid IPv6 address")]
    [InlineData("::1/64", "not a valid IPv6 address")]
    [InlineData("1.2.3.4::", "not a valid IPv6 address")]
    public void An_odd_host_is_refused_with_a_reason(string host, string reasonFragment)
    {
        bool created = ServerIdentity.TryCreate(host, 443, out ServerIdentity? identity, out string? error);

        Assert.False(created);
        Assert.Null(identity);
        Assert.Contains(reasonFragment, error, StringComparison.Ordinal);
        ArgumentException thrown = Assert.Throws<ArgumentException>(() => ServerIdentity.Create(host));
        Assert.Contains(reasonFragment, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_host_is_refused()
    {
        Assert.False(ServerIdentity.TryCreate(null, 443, out _, out string? error));
        Assert.Equal("No host name was given.", error);
        Assert.Throws<ArgumentNullException>(() => ServerIdentity.Create(null!));
    }

    [Theory]
    [InlineData(64, "64 octets long; a label has at most 63")]
    [InlineData(300, "300 octets long; a DNS name has at most 253")]
    [InlineData(1025, "1025 characters long; a DNS name has at most 253")]
    public void A_label_or_name_that_is_too_long_is_refused(int length, string reasonFragment)
    {
        string host = new string('a', length) + (length == 64 ? ".example" : string.Empty);

        Assert.False(ServerIdentity.TryCreate(host, 443, out _, out string? error));
        Assert.Contains(reasonFragment, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_of_254_octets_is_refused()
    {
        string name254 = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 62));

        Assert.Equal(254, name254.Length);
        Assert.False(ServerIdentity.TryCreate(name254, 443, out _, out string? error));
        Assert.Contains("254 octets long; a DNS name has at most 253", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Unicode_name_too_long_in_ASCII_form_is_refused()
    {
        // 20 labels of "bücher" become 20 labels of "xn--bcher-kva": 279 octets.
        string host = string.Join('.', Enumerable.Repeat("bücher", 20));

        Assert.False(ServerIdentity.TryCreate(host, 443, out _, out string? error));
        Assert.Contains("in ASCII form", error, StringComparison.Ordinal);
        Assert.Contains("at most 253", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reason_shows_control_and_invisible_characters_escaped()
    {
        Assert.False(ServerIdentity.TryCreate("evil\u202Egro.example\u0007", 443, out _, out string? error));

        Assert.Contains("\\u202E", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', error);
        Assert.DoesNotContain('\u0007', error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(443)]
    [InlineData(65535)]
    public void Ports_from_1_to_65535_are_accepted(int port)
    {
        Assert.Equal(port, ServerIdentity.Create("example.com", port).Port);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65536)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Ports_outside_1_to_65535_are_refused(int port)
    {
        Assert.False(ServerIdentity.TryCreate("example.com", port, out _, out string? error));
        Assert.Contains($"Port {port} is out of range", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ServerIdentity.Create("example.com", port));
    }

    [Theory]
    [InlineData("example.com", "example.com", 443)]
    [InlineData("example.com:8443", "example.com", 8443)]
    [InlineData("EXAMPLE.com.:8443", "example.com", 8443)]
    [InlineData("bücher.example:444", "xn--bcher-kva.example", 444)]
    [InlineData("example\u3002com:1", "example.com", 1)]
    [InlineData("example.com:65535", "example.com", 65535)]
    [InlineData("example.com:0443", "example.com", 443)]
    [InlineData("example.com:000000443", "example.com", 443)]
    [InlineData("127.0.0.1", "127.0.0.1", 443)]
    [InlineData("127.0.0.1:8080", "127.0.0.1", 8080)]
    [InlineData("[::1]", "::1", 443)]
    [InlineData("[::1]:8443", "::1", 8443)]
    [InlineData("::1", "::1", 443)]
    [InlineData("2001:db8::1", "2001:db8::1", 443)]
    [InlineData("::1:443", "::1:443", 443)]
    [InlineData("[2001:DB8::1]:443", "2001:db8::1", 443)]
    public void Parse_reads_host_and_optional_port(string value, string host, int port)
    {
        ServerIdentity identity = ServerIdentity.Parse(value);

        Assert.Equal(host, identity.Host);
        Assert.Equal(port, identity.Port);
    }

    [Fact]
    public void Parse_uses_the_default_port_only_when_none_is_written()
    {
        Assert.Equal(8443, ServerIdentity.Parse("example.com", 8443).Port);
        Assert.Equal(9000, ServerIdentity.Parse("example.com:9000", 8443).Port);
        Assert.Equal(8443, ServerIdentity.Parse("[::1]", 8443).Port);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("example.com:", "names no port")]
    [InlineData("[::1]:", "names no port")]
    [InlineData("example.com:abc", "'abc' is not a port number")]
    [InlineData("example.com:-1", "'-1' is not a port number")]
    [InlineData("example.com:+443", "is not a port number")]
    [InlineData("example.com: 443", "is not a port number")]
    [InlineData("example.com:0", "Port 0 is out of range")]
    [InlineData("example.com:65536", "Port 65536 is out of range")]
    [InlineData("example.com:99999999999", "Port 99999999999 is out of range")]
    [InlineData("example.com:00000", "Port 0 is out of range")]
    [InlineData("example.com:0065536", "Port 65536 is out of range")]
    [InlineData(":443", "no host before the port")]
    [InlineData("[::1]443", "unexpected text after ']'")]
    [InlineData("[::1", "without a closing ']'")]
    [InlineData("[example.com]:443", "brackets are only for IPv6")]
    [InlineData("[127.0.0.1]:443", "brackets are only for IPv6")]
    [InlineData("fe80::1%eth0", "zone id")]
    [InlineData("[fe80::1%eth0]:443", "zone id")]
    [InlineData("host:443:1", "not a valid IPv6 address")]
    [InlineData("https://example.com:443", "looks like a URL")]
    [InlineData("127.1:443", "neither a canonical IPv4 address nor a DNS name")]
    [InlineData("a..b:443", "empty label")]
    [InlineData("\0:443", "NUL character")]
    public void Parse_refuses_odd_text_with_a_reason(string value, string reasonFragment)
    {
        Assert.False(ServerIdentity.TryParse(value, 443, out ServerIdentity? identity, out string? error));
        Assert.Null(identity);
        Assert.Contains(reasonFragment, error, StringComparison.Ordinal);
        FormatException thrown = Assert.Throws<FormatException>(() => ServerIdentity.Parse(value));
        Assert.Contains(reasonFragment, thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_null_and_an_invalid_default_port()
    {
        Assert.False(ServerIdentity.TryParse(null, 443, out _, out string? error));
        Assert.Contains("empty", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => ServerIdentity.Parse(null!));
        Assert.False(ServerIdentity.TryParse("example.com", 0, out _, out error));
        Assert.Contains("Port 0 is out of range", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Example.COM", 8443, "example.com:8443")]
    [InlineData("bücher.example", 443, "xn--bcher-kva.example:443")]
    [InlineData("127.0.0.1", 1, "127.0.0.1:1")]
    [InlineData("::1", 443, "[::1]:443")]
    [InlineData("2001:DB8::0:1", 8443, "[2001:db8::1]:8443")]
    [InlineData("::ffff:192.0.2.1", 443, "[::ffff:192.0.2.1]:443")]
    public void ToString_writes_host_and_port_and_parses_back_to_an_equal_identity(string host, int port, string expected)
    {
        ServerIdentity identity = ServerIdentity.Create(host, port);

        Assert.Equal(expected, identity.ToString());
        Assert.Equal(identity, ServerIdentity.Parse(identity.ToString()));
    }

    [Theory]
    [InlineData("EXAMPLE.com", "example.com.")]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("example\u3002com", "example.com")]
    [InlineData("::1", "[::1]")]
    [InlineData("::1", "0:0:0:0:0:0:0:1")]
    [InlineData("2001:db8::1", "2001:DB8:0000::1")]
    public void Identities_that_name_the_same_server_are_equal(string left, string right)
    {
        ServerIdentity a = ServerIdentity.Create(left);
        ServerIdentity b = ServerIdentity.Create(right);

        Assert.Equal(a, b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    [Theory]
    [InlineData("example.com", 443, "example.com", 8443)]
    [InlineData("example.com", 443, "www.example.com", 443)]
    [InlineData("127.0.0.1", 443, "::ffff:127.0.0.1", 443)]
    [InlineData("127.0.0.1", 443, "::1", 443)]
    [InlineData("ss.de", 443, "ß.de", 443)]
    public void Identities_that_differ_in_host_or_port_are_not_equal(string leftHost, int leftPort, string rightHost, int rightPort)
    {
        Assert.NotEqual(ServerIdentity.Create(leftHost, leftPort), ServerIdentity.Create(rightHost, rightPort));
    }

    [Fact]
    public void An_identity_is_not_equal_to_null_or_to_another_type()
    {
        ServerIdentity identity = ServerIdentity.Create("example.com");

        Assert.False(identity.Equals(null));
        Assert.False(identity.Equals((object?)null));
        Assert.False(identity.Equals("example.com:443"));
    }
}
