using System.Text;

namespace CertPolicy.Tests.Identity;

/// <summary>
/// Random odd input (fixed seeds, bounded counts): normalisation and matching never throw, a normalised host is a
/// fixed point, and a DNS host always matches a certificate that names exactly it.
/// </summary>
public sealed class IdentityRobustnessTests
{
    private const int Rounds = 3000;

    // Letters, digits, separators of every kind, characters IDNA maps or refuses, controls and half surrogates.
    private static readonly string Alphabet =
        "abcxyzABCXYZ0123456789-_.*:[]%@/ \t\0\u007F\u0085\u00A0\u00AD\u00DF\u00FC\u00DC\u0131\u0130\u017F\u0301" +
        "\u05D0\u0627\u200B\u200C\u200D\u202E\u2024\u2488\u3002\uFF0E\uFF61\uFF41\uFF11\u3000\u4F8B\uD800\uDC00\uFFFD";

    [Fact]
    public void Normalisation_never_throws_and_a_normalised_host_is_a_fixed_point()
    {
        var random = new Random(6125);
        int accepted = 0;
        for (int i = 0; i < Rounds; i++)
        {
            string host = RandomText(random, random.Next(1, 24));

            if (!ServerIdentity.TryCreate(host, 443, out ServerIdentity? identity, out string? error))
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
                continue;
            }

            accepted++;
            Assert.True(Ascii.IsValid(identity.Host), identity.Host);
            Assert.Equal(identity, ServerIdentity.Create(identity.Host));
            Assert.Equal(identity, ServerIdentity.Parse(identity.ToString()));
        }

        Assert.True(accepted > 10, $"only {accepted} random hosts were valid");
    }

    [Fact]
    public void Parsing_never_throws_for_random_text()
    {
        var random = new Random(9525);
        for (int i = 0; i < Rounds; i++)
        {
            string value = RandomText(random, random.Next(0, 24));

            bool parsed = ServerIdentity.TryParse(value, 443, out ServerIdentity? identity, out string? error);

            Assert.True(parsed ? identity is not null : !string.IsNullOrWhiteSpace(error));
        }
    }

    [Fact]
    public void Matching_random_entries_never_throws_and_a_host_matches_itself()
    {
        var random = new Random(5280);
        string[] hosts = ["example.com", "foo.example.com", "xn--bcher-kva.example", "localhost", "192.0.2.1", "::1"];
        foreach (string host in hosts)
        {
            ServerIdentity identity = ServerIdentity.Create(host);
            for (int i = 0; i < Rounds / hosts.Length; i++)
            {
                string[] names = [RandomText(random, random.Next(0, 20)), "*." + RandomText(random, random.Next(0, 12))];
                byte[][] addresses = [RandomBytes(random)];

                bool matches = HostNameMatcher.Matches(identity, names, [.. addresses.Select(a => (ReadOnlyMemory<byte>)a)]);
                HostNameMatch match = HostNameMatcher.Match(identity, names, [.. addresses.Select(a => (ReadOnlyMemory<byte>)a)]);

                Assert.Equal(matches, match.IsMatch);
                Assert.False(string.IsNullOrWhiteSpace(match.Reason));
            }

            if (!identity.IsIPAddress)
            {
                Assert.True(HostNameMatcher.Matches(identity, [identity.Host], []));
            }
        }
    }

    private static string RandomText(Random random, int length)
    {
        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return text.ToString();
    }

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 3) switch { 0 => 4, 1 => 16, _ => random.Next(0, 20) }];
        random.NextBytes(bytes);
        return bytes;
    }
}
