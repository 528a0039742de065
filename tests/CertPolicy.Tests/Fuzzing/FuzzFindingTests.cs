namespace CertPolicy.Tests.Fuzzing;

/// <summary>What the fuzz targets found, pinned down beside the replayed regression files.</summary>
public sealed class FuzzFindingTests
{
    [Fact]
    public void A_UniversalString_name_is_read_as_text_and_matches_the_same_name_in_UTF8()
    {
        // CN as UniversalString (UCS-4 big-endian, tag 0x1C) "abc", and as UTF8String "ABC".
        byte[] universal = [0x30, 0x17, 0x31, 0x15, 0x30, 0x13, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1C, 0x0C, 0, 0, 0, 0x61, 0, 0, 0, 0x62, 0, 0, 0, 0x63];
        byte[] utf8 = [0x30, 0x0E, 0x31, 0x0C, 0x30, 0x0A, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x03, 0x41, 0x42, 0x43];

        DistinguishedName name = DistinguishedName.Decode(universal);

        Assert.Equal("CN=abc", name.ToString());
        Assert.Equal(DistinguishedName.Decode(utf8), name);
    }

    [Fact]
    public void A_UniversalString_that_is_not_UCS4_is_shown_leniently_rather_than_thrown_about()
    {
        // Five content octets: not a whole number of UCS-4 characters.
        byte[] broken = [0x30, 0x10, 0x31, 0x0E, 0x30, 0x0C, 0x06, 0x03, 0x55, 0x04, 0x03, 0x1C, 0x05, 0, 0, 0, 0x61, 0x62];

        DistinguishedName name = DistinguishedName.Decode(broken);

        Assert.StartsWith("CN=", name.ToString(), StringComparison.Ordinal);
    }
}
