using System.Security.Cryptography.X509Certificates;

namespace CertPolicy.Tests.Certificates;

public sealed class DistinguishedNameTests
{
    private static DistinguishedName Name(string text) => DistinguishedName.Decode(new X500DistinguishedName(text).RawData);

    [Theory]
    [InlineData("CN=Example Root, O=Example", "CN=example root, O=EXAMPLE")]
    [InlineData("CN=Example  Root, O=Example", "CN= Example Root , O=Example")]
    public void Names_match_without_regard_to_case_and_insignificant_spaces(string left, string right) =>
        Assert.Equal(Name(left), Name(right));

    [Fact]
    public void Different_names_do_not_match()
    {
        Assert.NotEqual(Name("CN=Example Root"), Name("CN=Example Root 2"));
        Assert.NotEqual(Name("CN=Example, O=A"), Name("O=A, CN=Example"));
    }

    [Fact]
    public void The_same_text_in_different_string_types_matches()
    {
        byte[] printable = [0x30, 0x0E, 0x31, 0x0C, 0x30, 0x0A, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x03, 0x61, 0x62, 0x63];
        byte[] utf8 = [0x30, 0x0E, 0x31, 0x0C, 0x30, 0x0A, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x03, 0x41, 0x42, 0x43];

        Assert.Equal(DistinguishedName.Decode(printable), DistinguishedName.Decode(utf8));
    }

    [Fact]
    public void A_name_is_within_a_subtree_that_is_a_prefix_of_it()
    {
        DistinguishedName name = Name("CN=server, OU=Ops, O=Example, C=NL");

        Assert.True(name.IsWithin(Name("O=Example, C=NL")));
        Assert.True(name.IsWithin(Name("C=NL")));
        Assert.True(name.IsWithin(name));
        Assert.False(name.IsWithin(Name("O=Other, C=NL")));
        Assert.False(Name("C=NL").IsWithin(name));
    }

    [Fact]
    public void Text_lists_the_most_specific_name_first_as_the_platform_does()
    {
        var platform = new X500DistinguishedName("CN=server, O=Example, C=NL");

        Assert.Equal(platform.Name, DistinguishedName.Decode(platform.RawData).ToString());
    }

    [Fact]
    public void Special_characters_are_escaped()
    {
        DistinguishedName name = Name("CN=\"Smith, John\"");
        Assert.Equal("CN=Smith\\, John", name.ToString());
    }

    [Fact]
    public void Common_names_are_read_in_order()
    {
        Assert.Equal(["a", "b"], Name("CN=b, CN=a").ValuesOf(Oids.CommonName));
    }

    [Fact]
    public void An_empty_name_is_empty()
    {
        DistinguishedName empty = DistinguishedName.Decode(new byte[] { 0x30, 0x00 });
        Assert.True(empty.IsEmpty);
        Assert.Equal(string.Empty, empty.ToString());
    }
}
