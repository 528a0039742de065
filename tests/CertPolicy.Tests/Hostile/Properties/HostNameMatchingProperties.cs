using System.Globalization;
using System.Net;
using System.Text;
using CsCheck;

namespace CertPolicy.Tests.Hostile.Properties;

/// <summary>
/// Properties of name matching (RFC 9525 as docs/identity.md states it), over random names. The matcher is the same
/// code the validator runs on a certificate's subjectAltName entries, so these are checked on the entries directly;
/// <see cref="CertificateProperties"/> runs a smaller sample through real certificates.
/// </summary>
public sealed class HostNameMatchingProperties
{
    private const int Iterations = 400;

    /// <summary>Registrable parents under which a wildcard is allowed (none of them is a public suffix).</summary>
    private static readonly string[] Parents = ["example.com", "example.test", "corp.example.net", "ems.example.co.uk"];

    private static readonly Gen<string> Label = Gen.Select(
        Gen.Char["abcdefghijklmnopqrstuvwxyz"],
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789-"].Array[0, 12],
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"],
        (first, middle, last) => middle.Length == 0 ? first.ToString() : first + new string(middle) + last);

    /// <summary>A well-formed DNS name of one to four labels above a registrable parent.</summary>
    private static readonly Gen<string> Name = Gen.Select(Label.Array[1, 4], Gen.OneOf(Parents), (labels, parent) => string.Join('.', labels) + "." + parent);

    private static IReadOnlyList<ReadOnlyMemory<byte>> NoAddresses => [];

    [Fact]
    public void A_random_DNS_name_never_matches_a_certificate_that_does_not_name_it()
    {
        Gen.Select(Name, Name.Array[0, 6], Gen.Int[0, 9].Array[1, 6])
            .Sample(
                (host, others, mutations) =>
                {
                    ServerIdentity identity = ServerIdentity.Create(host);

                    // Near misses derived from the host, plus unrelated names; none of them names the host.
                    var entries = new List<string>(others.Where(o => !string.Equals(o, host, StringComparison.OrdinalIgnoreCase)));
                    entries.AddRange(mutations.Select(m => NearMiss(host, m)).Where(n => !string.Equals(n, host, StringComparison.OrdinalIgnoreCase)));

                    Assert.False(
                        HostNameMatcher.Matches(identity, entries, NoAddresses),
                        $"{host} matched [{string.Join(", ", entries)}]");
                    Assert.False(HostNameMatcher.Match(identity, entries, NoAddresses).IsMatch);
                },
                iter: Iterations,
                threads: 1);
    }

    [Fact]
    public void Case_and_trailing_dot_equivalents_of_the_host_always_match_the_name_it_has_in_the_certificate()
    {
        Gen.Select(Name, Gen.Bool.Array[64], Gen.Bool.Array[64], Gen.Int[0, 3], Name.Array[0, 4])
            .Sample(
                (name, hostCase, entryCase, spelling, others) =>
                {
                    string host = Recase(name, hostCase) + spelling switch
                    {
                        0 => string.Empty,
                        1 => ".",
                        2 => "\u3002", // an ideographic full stop names the root as well
                        _ => "\uFF0E",
                    };
                    string entry = Recase(name, entryCase);
                    List<string> entries = [.. others, entry];

                    ServerIdentity identity = ServerIdentity.Create(host);

                    Assert.Equal(name, identity.Host);
                    Assert.True(HostNameMatcher.Matches(identity, entries, NoAddresses), $"{host} did not match {entry}");
                    Assert.Equal(entry, HostNameMatcher.Match(identity, entries, NoAddresses).MatchedName);
                },
                iter: Iterations,
                threads: 1);
    }

    [Fact]
    public void A_certificate_name_with_a_trailing_dot_is_never_an_equivalent()
    {
        // The documented decision (docs/identity.md): a dNSName ending in a dot is malformed and ignored.
        Name.Sample(
            name =>
            {
                HostNameMatch match = HostNameMatcher.Match(ServerIdentity.Create(name), [name + "."], NoAddresses);
                Assert.False(match.IsMatch);
                Assert.Contains("ignored: it ends with a dot", match.Reason, StringComparison.Ordinal);
            },
            iter: 100,
            threads: 1);
    }

    [Fact]
    public void A_wildcard_matches_exactly_one_left_most_label()
    {
        Gen.Select(Gen.OneOf(Parents), Label, Label.Array[2, 3], Gen.Bool.Array[64])
            .Sample(
                (parent, label, deeper, upper) =>
                {
                    string wildcard = Recase("*." + parent, upper);

                    // One label: matches.
                    Assert.True(HostNameMatcher.Matches(ServerIdentity.Create($"{label}.{parent}"), [wildcard], NoAddresses), $"{label}.{parent} vs {wildcard}");

                    // Zero labels: the parent itself never matches.
                    Assert.False(HostNameMatcher.Matches(ServerIdentity.Create(parent), [wildcard], NoAddresses), $"{parent} vs {wildcard}");

                    // Two or three labels: never.
                    string deep = string.Join('.', deeper) + "." + parent;
                    Assert.False(HostNameMatcher.Matches(ServerIdentity.Create(deep), [wildcard], NoAddresses), $"{deep} vs {wildcard}");

                    // The wildcard further right, or partial: never, even over the one label it would stand for.
                    string host = $"{label}.{parent}";
                    string[] notLeftMost =
                    [
                        $"{label}.*.{parent}",
                        $"*.*.{parent}",
                        $"{label}*.{parent}",
                        $"*{label}.{parent}",
                        $"{label[..1]}*{label[1..]}.{parent}",
                    ];
                    Assert.False(HostNameMatcher.Matches(ServerIdentity.Create($"{label}.{label}.{parent}"), notLeftMost, NoAddresses));
                    Assert.False(HostNameMatcher.Matches(ServerIdentity.Create(host), notLeftMost[2..], NoAddresses), $"{host} vs partial wildcards");
                },
                iter: Iterations,
                threads: 1);
    }

    [Fact]
    public void A_wildcard_over_a_public_suffix_never_matches()
    {
        Gen.Select(Label, Gen.OneOf("com", "co.uk", "github.io", "s3.amazonaws.com", "test", "localhost"))
            .Sample(
                (label, suffix) => Assert.False(HostNameMatcher.Matches(ServerIdentity.Create($"{label}.{suffix}"), [$"*.{suffix}"], NoAddresses)),
                iter: 100,
                threads: 1);
    }

    [Fact]
    public void An_IP_address_matches_only_an_entry_with_exactly_its_octets()
    {
        Gen.Select(Gen.Byte.Array[4], Gen.Byte.Array[16], Gen.Byte.Array[4].Array[0, 5], Gen.Byte.Array[16].Array[0, 5])
            .Sample(
                (v4, v6, others4, others6) =>
                {
                    foreach (byte[] own in new[] { v4, v6 })
                    {
                        ServerIdentity identity = ServerIdentity.Create(new IPAddress(own).ToString());
                        byte[][] others = [.. others4.Concat(others6).Where(o => !o.AsSpan().SequenceEqual(own))];

                        // The address spelled as a DNS name never counts.
                        Assert.False(HostNameMatcher.Matches(identity, [identity.Host], [.. others.Select(o => (ReadOnlyMemory<byte>)o)]));
                        Assert.True(HostNameMatcher.Matches(identity, [], [.. others.Select(o => (ReadOnlyMemory<byte>)o), own]));
                    }
                },
                iter: 200,
                threads: 1);
    }

    /// <summary>A name close to the host that does not name it: one change a careless matcher might forgive.</summary>
    private static string NearMiss(string host, int kind)
    {
        int dot = host.IndexOf('.', StringComparison.Ordinal);
        string first = host[..dot];
        string rest = host[(dot + 1)..];
        return kind switch
        {
            0 => "x" + host,                                    // a longer first label
            1 => first[..^1] + (first[^1] == 'a' ? 'b' : 'a') + "." + rest, // one letter changed
            2 => "www." + host,                                 // a subdomain of the host
            3 => rest,                                          // the parent of the host
            4 => "*." + host,                                   // a wildcard one level below the host
            5 => rest.Contains('.', StringComparison.Ordinal) ? "*." + rest[(rest.IndexOf('.', StringComparison.Ordinal) + 1)..] : "*." + host, // a wildcard one level too high
            6 => host + "x",                                    // a longer last label
            7 => first + "-" + "." + rest,                      // a malformed label (ignored)
            8 => host.Replace('.', '_'),                        // underscores for dots
            _ => first + ".other-" + rest,                      // the same first label under another parent
        };
    }

    private static string Recase(string name, bool[] upper)
    {
        var builder = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            builder.Append(upper[i % upper.Length] ? char.ToUpper(name[i], CultureInfo.InvariantCulture) : name[i]);
        }

        return builder.ToString();
    }
}
