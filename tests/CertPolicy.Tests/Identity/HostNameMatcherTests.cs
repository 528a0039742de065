using System.Net;

namespace CertPolicy.Tests.Identity;

/// <summary>The matcher on plain lists of SAN entries: odd entries a certificate builder would refuse to write are tested here.</summary>
public sealed class HostNameMatcherTests
{
    [Theory]
    [InlineData("example.com", "example.com", true)]
    [InlineData("example.com", "EXAMPLE.COM", true)]
    [InlineData("EXAMPLE.COM", "example.com", true)]
    [InlineData("example.com.", "example.com", true)]
    [InlineData("localhost", "localhost", true)]
    [InlineData("def.example.com", "abc.example.com", false)] // x509-limbo webpki::san::mismatch-subdomain-san
    [InlineData("abc.example.com", "example.com", false)] // webpki::san::mismatch-subdomain-apex-san
    [InlineData("example.com", "abc.example.com", false)] // webpki::san::mismatch-apex-subdomain-san
    [InlineData("example.com", "example.co", false)]
    [InlineData("example.com", "xexample.com", false)]
    [InlineData("example.com", "example.com.evil", false)]
    public void A_DNS_name_matches_an_equal_dNSName_ignoring_ASCII_case(string host, string san, bool expected)
    {
        Assert.Equal(expected, MatchesDns(host, san));
    }

    [Theory]
    [InlineData("example.com", "example.com.")]
    [InlineData("example.com", ".example.com")]
    [InlineData("example.com", "example..com")]
    [InlineData("example.com", " example.com")]
    [InlineData("example.com", "example.com ")]
    [InlineData("example.com", "example.com\0")]
    [InlineData("example.com", "example.com\0.evil.example")]
    [InlineData("example.com", "example.com\n")]
    [InlineData("example.com", "")]
    [InlineData("example\u3002com", "example\u3002com")]
    [InlineData("example.com", "example\u3002com")]
    [InlineData("example.com", "example\uFF0Ecom")]
    [InlineData("bücher.example", "bücher.example")]
    [InlineData("xn--bcher-kva.example", "bücher.example")]
    [InlineData("bücher.example", "b\u00C3\u00BCcher.example")] // the UTF-8 bytes of "ü" read as Latin-1
    [InlineData("ex-ample.com", "ex_ample.com")]
    public void A_malformed_dNSName_never_matches(string host, string san)
    {
        Assert.False(MatchesDns(host, san));
    }

    [Theory]
    [InlineData("bücher.example", "xn--bcher-kva.example")]
    [InlineData("BÜCHER.example", "XN--BCHER-KVA.EXAMPLE")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("例え.テスト", "xn--r8jz45g.xn--zckzah")]
    [InlineData("foo\u3002example\uFF0Ecom", "foo.example.com")]
    [InlineData("foo\uFF61example.com", "foo.example.com")]
    public void A_Unicode_host_matches_the_A_label_form_in_the_certificate(string host, string san)
    {
        Assert.True(MatchesDns(host, san));
    }

    [Theory]
    [InlineData("foo.example.com", "*.example.com", true)] // webpki::san::leftmost-wildcard-san
    [InlineData("FOO.example.com", "*.EXAMPLE.com", true)]
    [InlineData("foo-bar.example.com", "*.example.com", true)]
    [InlineData("xn--bcher-kva.example.com", "*.example.com", true)]
    [InlineData("bücher.example.com", "*.example.com", true)]
    [InlineData("foo.example.co.uk", "*.example.co.uk", true)]
    [InlineData("example.com", "*.example.com", false)]
    [InlineData("a.b.example.com", "*.example.com", false)]
    [InlineData("foo.example.org", "*.example.com", false)]
    [InlineData("foo.example.com", "*.example.com.", false)]
    [InlineData("foo.example.com", "*..example.com", false)]
    [InlineData("foo.example.com", "*.", false)]
    public void A_wildcard_stands_for_exactly_one_whole_left_most_label(string host, string san, bool expected)
    {
        Assert.Equal(expected, MatchesDns(host, san));
    }

    [Theory]
    [InlineData("baz.example.com", "ba*.example.com")] // webpki::san::wildcard-embedded-leftmost-san
    [InlineData("foo.example.com", "f*.example.com")]
    [InlineData("foo.example.com", "*oo.example.com")]
    [InlineData("foo.example.com", "f*o.example.com")]
    [InlineData("foo.example.com", "**.example.com")]
    [InlineData("foo.bar.example.com", "foo.*.example.com")] // webpki::san::wildcard-not-in-leftmost-san
    [InlineData("foo.bar.example.com", "*.*.example.com")]
    [InlineData("foo.example.com", "foo.example.*")]
    [InlineData("xn--bliss-1b3c148a.example.com", "xn--*-1b3c148a.example.com")] // webpki::san::wildcard-embedded-ulabel-san
    [InlineData("xn--bcher-kva.example.com", "xn--*.example.com")]
    [InlineData("foo", "*")]
    [InlineData("example.com", "*")]
    public void A_partial_misplaced_or_lone_wildcard_never_matches(string host, string san)
    {
        Assert.False(MatchesDns(host, san));
    }

    [Theory]
    [InlineData("example.com", "*.com")] // webpki::san::public-suffix-wildcard-san
    [InlineData("google.com", "*.com")]
    [InlineData("example.co.uk", "*.co.uk")] // webpki::san::public-suffix-multi-label-wildcard-san
    [InlineData("example.s3.amazonaws.com", "*.s3.amazonaws.com")] // webpki::san::public-suffix-private-namespace-wildcard-san
    [InlineData("foo.github.io", "*.github.io")]
    [InlineData("foo.localhost", "*.localhost")]
    [InlineData("foo.internal", "*.internal")]
    [InlineData("foo.bar.ck", "*.bar.ck")]
    [InlineData("foo.example.bd", "*.example.bd")]
    [InlineData("foo.xn--55qx5d.cn", "*.xn--55qx5d.cn")]
    public void A_wildcard_never_covers_a_public_suffix(string host, string san)
    {
        Assert.False(MatchesDns(host, san));
    }

    [Theory]
    [InlineData("foo.www.ck", "*.www.ck")]
    [InlineData("foo.city.kawasaki.jp", "*.city.kawasaki.jp")]
    [InlineData("foo.example.github.io", "*.example.github.io")]
    [InlineData("foo.bucket.s3.amazonaws.com", "*.bucket.s3.amazonaws.com")]
    public void A_wildcard_under_a_public_suffix_or_an_exception_rule_matches(string host, string san)
    {
        Assert.True(MatchesDns(host, san));
    }

    [Fact]
    public void Without_a_public_suffix_list_no_wildcard_matches()
    {
        ServerIdentity identity = ServerIdentity.Create("foo.example.com");

        Assert.True(HostNameMatcher.Matches(identity, ["*.example.com"], [], PublicSuffixList.Shipped));
        Assert.False(HostNameMatcher.Matches(identity, ["*.example.com"], [], PublicSuffixList.Unavailable));
        Assert.True(HostNameMatcher.Matches(identity, ["foo.example.com"], [], PublicSuffixList.Unavailable));
    }

    [Fact]
    public void A_DNS_name_is_never_matched_against_IP_address_entries()
    {
        ServerIdentity identity = ServerIdentity.Create("localhost");

        Assert.False(HostNameMatcher.Matches(identity, [], [Loopback4]));
        Assert.False(HostNameMatcher.Matches(identity, ["127.0.0.1"], [Loopback4]));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("192.0.2.1")]
    public void An_IP_address_matches_an_iPAddress_entry_with_the_same_octets(string host)
    {
        ServerIdentity identity = ServerIdentity.Create(host);
        byte[] octets = IPAddress.Parse(host).GetAddressBytes();

        Assert.True(HostNameMatcher.Matches(identity, [], [octets]));
        Assert.True(HostNameMatcher.Matches(identity, ["example.com"], [new byte[] { 10, 0, 0, 1 }, octets]));
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("127.0.0.1", "127.0.0.01")]
    [InlineData("::1", "::1")]
    [InlineData("::1", "0:0:0:0:0:0:0:1")]
    [InlineData("192.0.2.1", "*.0.2.1")]
    public void An_IP_address_is_never_matched_against_a_dNSName_that_spells_it(string host, string san)
    {
        Assert.False(HostNameMatcher.Matches(ServerIdentity.Create(host), [san], []));
    }

    [Theory]
    [InlineData("127.0.0.1", new byte[] { 127, 0, 0, 2 })]
    [InlineData("127.0.0.1", new byte[] { 127, 0, 0 })]
    [InlineData("127.0.0.1", new byte[] { 127, 0, 0, 1, 0 })]
    [InlineData("127.0.0.1", new byte[] { 127, 0, 0, 1, 255, 255, 255, 255 })] // address and mask: name-constraint syntax, not a SAN
    [InlineData("127.0.0.1", new byte[0])]
    [InlineData("::1", new byte[] { 0, 0, 0, 1 })]
    [InlineData("0.0.0.1", new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 })]
    public void An_IP_address_does_not_match_other_or_malformed_entries(string host, byte[] san)
    {
        Assert.False(HostNameMatcher.Matches(ServerIdentity.Create(host), [], [san]));
    }

    [Fact]
    public void IPv4_and_IPv4_mapped_IPv6_addresses_never_match_each_other()
    {
        byte[] v4 = [192, 0, 2, 1];
        byte[] mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1];

        Assert.False(HostNameMatcher.Matches(ServerIdentity.Create("::ffff:192.0.2.1"), [], [v4]));
        Assert.False(HostNameMatcher.Matches(ServerIdentity.Create("192.0.2.1"), [], [mapped]));
        Assert.True(HostNameMatcher.Matches(ServerIdentity.Create("::ffff:192.0.2.1"), [], [mapped]));
        Assert.True(HostNameMatcher.Matches(ServerIdentity.Create("192.0.2.1"), [], [v4]));
    }

    [Fact]
    public void Null_entries_are_skipped_without_throwing()
    {
        ServerIdentity identity = ServerIdentity.Create("example.com");
        string[] names = [null!, "example.com"];

        Assert.True(HostNameMatcher.Matches(identity, names, []));
        Assert.False(HostNameMatcher.Matches(identity, [null!], []));
        Assert.Contains("ignored: the entry is missing", HostNameMatcher.Match(identity, [null!], []).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        ServerIdentity identity = ServerIdentity.Create("example.com");

        Assert.Throws<ArgumentNullException>(() => HostNameMatcher.Matches(null!, [], []));
        Assert.Throws<ArgumentNullException>(() => HostNameMatcher.Matches(identity, null!, []));
        Assert.Throws<ArgumentNullException>(() => HostNameMatcher.Matches(identity, [], null!));
        Assert.Throws<ArgumentNullException>(() => HostNameMatcher.Match(identity, [], null!));
    }

    [Fact]
    public void A_match_names_the_entry_that_matched()
    {
        HostNameMatch match = HostNameMatcher.Match(ServerIdentity.Create("foo.example.com"), ["a.example.org", "*.example.com"], []);

        Assert.True(match.IsMatch);
        Assert.Equal("*.example.com", match.MatchedName);
        Assert.Equal("'foo.example.com' matches the certificate's DNS name '*.example.com'.", match.Reason);
    }

    [Fact]
    public void A_mismatch_lists_the_names_and_why_entries_were_ignored()
    {
        HostNameMatch match = HostNameMatcher.Match(
            ServerIdentity.Create("example.com"),
            ["a.example.org", "*.com", "example.com.", "ex*.com", "127.0.0.1"],
            []);

        Assert.False(match.IsMatch);
        Assert.Null(match.MatchedName);
        Assert.StartsWith("The certificate is not valid for 'example.com': none of its DNS names matches. It names 'a.example.org', ", match.Reason, StringComparison.Ordinal);
        Assert.Contains("'*.com' (ignored: 'com' is a public suffix", match.Reason, StringComparison.Ordinal);
        Assert.Contains("'example.com.' (ignored: it ends with a dot)", match.Reason, StringComparison.Ordinal);
        Assert.Contains("'ex*.com' (ignored: a wildcard must be the whole left-most label", match.Reason, StringComparison.Ordinal);
        Assert.Contains("'127.0.0.1' (ignored: it is an IP address written as a DNS name", match.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_without_DNS_names_says_the_common_name_is_never_used()
    {
        HostNameMatch match = HostNameMatcher.Match(ServerIdentity.Create("example.com"), [], [Loopback4]);

        Assert.False(match.IsMatch);
        Assert.Contains("names no DNS name", match.Reason, StringComparison.Ordinal);
        Assert.Contains("It names only IP addresses: 127.0.0.1.", match.Reason, StringComparison.Ordinal);
        Assert.Contains("never against IP addresses or the subject common name", match.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_for_an_IP_address_points_at_a_DNS_name_that_spells_it()
    {
        HostNameMatch match = HostNameMatcher.Match(ServerIdentity.Create("127.0.0.1"), ["127.0.0.1"], []);

        Assert.False(match.IsMatch);
        Assert.Contains("names no IP address, so it is not valid for 127.0.0.1", match.Reason, StringComparison.Ordinal);
        Assert.Contains("It lists '127.0.0.1' as a DNS name, which does not count", match.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_for_an_IP_address_explains_an_IPv4_mapped_near_miss()
    {
        byte[] mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1];

        HostNameMatch match = HostNameMatcher.Match(ServerIdentity.Create("192.0.2.1"), [], [mapped, new byte[] { 1, 2, 3 }]);

        Assert.False(match.IsMatch);
        Assert.Contains("It names ::ffff:192.0.2.1 (IPv4 and IPv4-mapped IPv6 addresses never match each other)", match.Reason, StringComparison.Ordinal);
        Assert.Contains("a malformed entry of 3 bytes (ignored)", match.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mismatch_reason_escapes_control_and_bidirectional_characters_of_entries()
    {
        HostNameMatch match = HostNameMatcher.Match(ServerIdentity.Create("example.com"), ["evil\u202Emoc.example\0"], []);

        Assert.Contains("\\u202E", match.Reason, StringComparison.Ordinal);
        Assert.Contains("\\u0000", match.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', match.Reason);
        Assert.DoesNotContain('\0', match.Reason);
    }

    [Fact]
    public void A_long_list_of_entries_is_searched_fully_and_reported_briefly()
    {
        string[] names = [.. Enumerable.Range(0, 5000).Select(i => $"host{i}.example.com")];
        ServerIdentity last = ServerIdentity.Create("host4999.example.com");
        ServerIdentity absent = ServerIdentity.Create("other.example.com");

        Assert.True(HostNameMatcher.Matches(last, names, []));
        HostNameMatch match = HostNameMatcher.Match(absent, names, []);
        Assert.False(match.IsMatch);
        Assert.EndsWith("'host9.example.com' and 4990 more.", match.Reason, StringComparison.Ordinal);
        Assert.True(match.Reason.Length < 1000);
    }

    [Fact]
    public void Matching_well_formed_entries_allocates_nothing()
    {
        ServerIdentity dns = ServerIdentity.Create("foo.example.com");
        ServerIdentity ip = ServerIdentity.Create("::1");
        string[] names = ["a.example.org", "FOO.EXAMPLE.ORG", "*.example.org", "*.example.com"];
        ReadOnlyMemory<byte>[] addresses = [Loopback4, IPAddress.IPv6Loopback.GetAddressBytes()];
        Assert.True(HostNameMatcher.Matches(dns, names, addresses)); // warms up the public suffix list
        Assert.True(HostNameMatcher.Matches(ip, names, addresses));

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool dnsMatches = HostNameMatcher.Matches(dns, names, addresses);
        bool ipMatches = HostNameMatcher.Matches(ip, names, addresses);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(dnsMatches && ipMatches);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("example.com", nameof(PresentedNameDefect.None), false)]
    [InlineData("*.example.com", nameof(PresentedNameDefect.None), true)]
    [InlineData("*.com", nameof(PresentedNameDefect.None), true)] // the public-suffix rule is applied when matching
    [InlineData("xn--bcher-kva.example", nameof(PresentedNameDefect.None), false)]
    [InlineData("", nameof(PresentedNameDefect.Empty), false)]
    [InlineData("*", nameof(PresentedNameDefect.BareWildcard), false)]
    [InlineData("127.0.0.1", nameof(PresentedNameDefect.IPAddress), false)]
    [InlineData("::1", nameof(PresentedNameDefect.IPAddress), false)]
    [InlineData("2001:db8::1", nameof(PresentedNameDefect.IPAddress), false)]
    [InlineData("bücher.example", nameof(PresentedNameDefect.NonAscii), false)]
    [InlineData("a\u0000b.example", nameof(PresentedNameDefect.ControlOrSpace), false)]
    [InlineData("a\u007Fb.example", nameof(PresentedNameDefect.ControlOrSpace), false)]
    [InlineData("a b.example", nameof(PresentedNameDefect.ControlOrSpace), false)]
    [InlineData("foo_bar.example.com", nameof(PresentedNameDefect.Underscore), false)] // rfc5280::san::underscore-dns
    [InlineData("a:b.example", nameof(PresentedNameDefect.InvalidCharacter), false)]
    [InlineData("a/b.example", nameof(PresentedNameDefect.InvalidCharacter), false)]
    [InlineData(".example.com", nameof(PresentedNameDefect.LeadingDot), false)] // rfc5280::nc::nc-permits-invalid-dns-san
    [InlineData("example.com.", nameof(PresentedNameDefect.TrailingDot), false)]
    [InlineData("example..com", nameof(PresentedNameDefect.EmptyLabel), false)]
    [InlineData("-a.example", nameof(PresentedNameDefect.HyphenAtLabelEdge), false)]
    [InlineData("a-.example", nameof(PresentedNameDefect.HyphenAtLabelEdge), false)]
    [InlineData("a.1", nameof(PresentedNameDefect.NumericLastLabel), false)]
    [InlineData("127.1", nameof(PresentedNameDefect.NumericLastLabel), false)]
    [InlineData("a.0x7f", nameof(PresentedNameDefect.NumericLastLabel), false)]
    [InlineData("f*.example.com", nameof(PresentedNameDefect.PartialWildcard), false)]
    [InlineData("xn--*-1b3c148a.example.com", nameof(PresentedNameDefect.PartialWildcard), false)]
    [InlineData("foo.*.example.com", nameof(PresentedNameDefect.WildcardNotLeftmost), false)]
    [InlineData("*.*.example.com", nameof(PresentedNameDefect.WildcardNotLeftmost), false)]
    public void A_dNSName_entry_is_classified_strictly(string name, string expected, bool wildcard)
    {
        Assert.Equal(expected, PresentedDnsName.Check(name, out bool isWildcard).ToString());
        Assert.Equal(wildcard, isWildcard);
    }

    [Fact]
    public void Overlong_dNSName_entries_are_classified()
    {
        Assert.Equal(PresentedNameDefect.LabelTooLong, PresentedDnsName.Check(new string('a', 64) + ".example", out _));
        Assert.Equal(PresentedNameDefect.TooLong, PresentedDnsName.Check(string.Join('.', Enumerable.Repeat(new string('a', 50), 6)), out _));
        Assert.Equal(PresentedNameDefect.None, PresentedDnsName.Check(new string('a', 63) + ".example", out _));
    }

    private static readonly byte[] Loopback4 = [127, 0, 0, 1];

    private static bool MatchesDns(string host, string san) =>
        HostNameMatcher.Matches(ServerIdentity.Create(host), [san], []);
}
