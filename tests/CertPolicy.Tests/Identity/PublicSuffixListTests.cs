namespace CertPolicy.Tests.Identity;

public sealed class PublicSuffixListTests
{
    [Fact]
    public void The_shipped_list_loads_both_sections_once()
    {
        PublicSuffixList list = PublicSuffixList.Shipped;

        Assert.True(list.IsAvailable);
        Assert.Same(list, PublicSuffixList.Shipped);
        Assert.True(list.IcannRuleCount > 5000, $"{list.IcannRuleCount} ICANN rules");
        Assert.True(list.PrivateRuleCount > 1000, $"{list.PrivateRuleCount} private rules");
        Assert.Equal(0, list.SkippedRuleCount);
        Assert.Equal(list.IcannRuleCount + list.PrivateRuleCount, list.RuleCount);
    }

    [Theory]
    [InlineData("com", true)]
    [InlineData("example.com", false)]
    [InlineData("uk", true)]
    [InlineData("co.uk", true)]
    [InlineData("example.co.uk", false)]
    [InlineData("s3.amazonaws.com", true)] // private section
    [InlineData("bucket.s3.amazonaws.com", false)]
    [InlineData("github.io", true)] // private section
    [InlineData("example.github.io", false)]
    [InlineData("ck", true)] // "*.ck" does not match "ck" itself; the implicit rule does
    [InlineData("foo.ck", true)] // "*.ck"
    [InlineData("www.ck", false)] // "!www.ck"
    [InlineData("bd", true)]
    [InlineData("example.bd", true)] // "*.bd"
    [InlineData("foo.example.bd", false)]
    [InlineData("city.kawasaki.jp", false)] // "!city.kawasaki.jp" beats "*.kawasaki.jp"
    [InlineData("other.kawasaki.jp", true)]
    [InlineData("xn--55qx5d.cn", true)] // "公司.cn", stored as an A-label
    [InlineData("localhost", true)] // not listed: the implicit rule "*"
    [InlineData("internal", true)]
    [InlineData("corp", true)]
    [InlineData("example.corp", false)]
    [InlineData("", true)] // fail closed
    public void A_name_is_a_public_suffix_by_the_list_and_the_implicit_rule(string name, bool expected)
    {
        Assert.Equal(expected, PublicSuffixList.Shipped.IsPublicSuffix(name));
    }

    [Theory]
    [InlineData("a.b.example.co.uk", 2)]
    [InlineData("example.com", 1)]
    [InlineData("www.ck", 1)]
    [InlineData("a.foo.ck", 2)]
    [InlineData("a.b.unlisted-tld", 1)]
    [InlineData("x.y.city.kawasaki.jp", 2)]
    public void The_public_suffix_has_the_labels_of_the_prevailing_rule(string name, int labels)
    {
        Assert.Equal(labels, PublicSuffixList.Shipped.GetPublicSuffixLabelCount(name));
    }

    [Fact]
    public void Parse_reads_rules_comments_sections_Unicode_wildcards_and_exceptions()
    {
        const string text = """
            // comment
            // ===BEGIN ICANN DOMAINS===
            test
              co.test   trailing words are ignored
            *.wild.test
            !keep.wild.test
            тест
            // ===END ICANN DOMAINS===
            // ===BEGIN PRIVATE DOMAINS===
            Hosting.Example

            // ===END PRIVATE DOMAINS===
            """;
        PublicSuffixList list = PublicSuffixList.Parse(new StringReader(text));

        Assert.Equal(5, list.IcannRuleCount);
        Assert.Equal(1, list.PrivateRuleCount);
        Assert.True(list.IsPublicSuffix("co.test"));
        Assert.False(list.IsPublicSuffix("a.co.test"));
        Assert.True(list.IsPublicSuffix("any.wild.test"));
        Assert.False(list.IsPublicSuffix("keep.wild.test"));
        Assert.True(list.IsPublicSuffix("hosting.example"));
        Assert.True(list.IsPublicSuffix("xn--e1aybc"));
        Assert.False(list.IsPublicSuffix("a.xn--e1aybc"));
    }

    [Fact]
    public void An_unavailable_list_treats_every_name_as_a_public_suffix()
    {
        Assert.False(PublicSuffixList.Unavailable.IsAvailable);
        Assert.True(PublicSuffixList.Unavailable.IsPublicSuffix("example.com"));
    }

    [Fact]
    public void The_shipped_list_is_embedded_in_the_library()
    {
        using Stream? stream = typeof(ServerIdentity).Assembly.GetManifestResourceStream(PublicSuffixList.ResourceName);

        Assert.NotNull(stream);
        using var reader = new StreamReader(stream);
        Assert.Contains("Mozilla Public", reader.ReadLine(), StringComparison.Ordinal);
    }
}
