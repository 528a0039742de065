using System.Net;
using System.Text;

namespace CertPolicy.Fuzzing;

/// <summary>
/// Host names and IP addresses: the input (as UTF-8) is parsed and created as a <see cref="ServerIdentity"/>, and each
/// identity is matched against the SANs of the fixed leaf by validating the fixed valid chain for it.
/// </summary>
/// <remarks>
/// Contract: Parse and Create throw only their documented exceptions, exactly when TryParse and TryCreate refuse,
/// with the same reason; the normalised host is lower-case ASCII without trailing dot (or a canonical IP address) and
/// normalising it again changes nothing; the identity's text parses back to it. Matching: the chain is valid exactly
/// when the name matches; a name matches only if it is one of the leaf's DNS names or IP addresses or one label under
/// its wildcard; and (differential) an identity that matches also matches when created from its normalised host.
/// </remarks>
internal sealed class IdentityTarget : FuzzTarget
{
    private const string WildcardParent = ".wild.example.test";
    private readonly CertificateValidator _validator;
    private readonly ReadOnlyMemory<byte>[] _chain = [FuzzFixtures.Leaf, FuzzFixtures.Intermediate];

    public IdentityTarget(TimeSpan callBound)
        : base(callBound)
    {
        _validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = FuzzFixtures.RootStore() }, FuzzFixtures.Clock);
    }

    public override string Name => "identity";

    public override void Run(ReadOnlySpan<byte> input)
    {
        string text = Encoding.UTF8.GetString(input);

        ServerIdentity? tryParsed = null;
        string? parseError = null;
        bool parsed = Timed("ServerIdentity.TryParse", () => ServerIdentity.TryParse(text, 443, out tryParsed, out parseError));
        Require(
            parsed == (tryParsed is not null) && parsed == (parseError is null) && (parsed || !string.IsNullOrWhiteSpace(parseError)),
            "TryParse returned both or neither of identity and error, or refused without a reason.");
        ServerIdentity? viaParse = null;
        try
        {
            viaParse = Timed("ServerIdentity.Parse", () => ServerIdentity.Parse(text));
        }
        catch (FormatException ex)
        {
            Require(ex.Message == parseError, $"Parse and TryParse give different reasons: '{ex.Message}' and '{parseError}'.");
        }

        Require(parsed == (viaParse is not null), $"TryParse says {parsed} but Parse {(viaParse is null ? "throws" : "succeeds")}.");
        Require(viaParse is null || viaParse.Equals(tryParsed), "TryParse and Parse make different identities of the same text.");

        ServerIdentity? viaCreate = null;
        try
        {
            viaCreate = Timed("ServerIdentity.Create", () => ServerIdentity.Create(text));
        }
        catch (ArgumentException)
        {
        }

        bool created = ServerIdentity.TryCreate(text, 443, out ServerIdentity? tried, out string? createError);
        Require(created == (viaCreate is not null) && created == (tried is not null) && created == (createError is null), "TryCreate and Create disagree, or TryCreate returned both or neither of identity and error.");
        Require(viaCreate is null || viaCreate.Equals(tried), "TryCreate and Create make different identities of the same text.");

        foreach (ServerIdentity identity in new[] { viaParse, viaCreate }.OfType<ServerIdentity>())
        {
            CheckNormalised(identity, text);
            CheckMatching(identity, text);
        }
    }

    private static void CheckNormalised(ServerIdentity identity, string text)
    {
        string host = identity.Host;
        Require(identity.Port is >= 1 and <= 65535, $"'{text}' gave port {identity.Port}.");
        if (identity.IsIPAddress)
        {
            Require(
                IPAddress.TryParse(host, out IPAddress? address) && address.Equals(identity.IPAddress)
                    && !host.Any(c => char.IsUpper(c) || c is '[' or ']' or '%'),
                $"'{text}' gave the IP address host '{host}', which is not a plain lower-case text of {identity.IPAddress}.");
        }
        else
        {
            Require(
                host.Length is > 0 and <= 253 && !host.EndsWith('.') && host.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'),
                $"'{text}' gave the host '{host}', which is not a normalised DNS name.");
        }

        Require(
            ServerIdentity.TryCreate(host, identity.Port, out ServerIdentity? again, out string? error) && again.Equals(identity) && again.Host == host,
            $"Normalising '{host}' (from '{text}') again does not give it back: {error ?? again?.Host}.");
        Require(
            ServerIdentity.TryParse(identity.ToString(), 1, out ServerIdentity? back, out error) && back.Equals(identity),
            $"'{identity}' (from '{text}') does not parse back to itself: {error ?? back?.ToString()}.");
    }

    private void CheckMatching(ServerIdentity identity, string text)
    {
        bool matches = Matches(identity, text);
        string host = identity.Host;
        bool allowed = identity.IsIPAddress
            ? FuzzFixtures.LeafIPAddresses.Contains(identity.IPAddress)
            : FuzzFixtures.LeafDnsNames.Contains(host, StringComparer.Ordinal)
              || (host.EndsWith(WildcardParent, StringComparison.Ordinal) && host.Length > WildcardParent.Length && !host[..^WildcardParent.Length].Contains('.', StringComparison.Ordinal));
        Require(!matches || allowed, $"'{text}' (host '{host}') matches the leaf, whose names are {string.Join(", ", FuzzFixtures.LeafDnsNames)}.");

        bool exact = identity.IsIPAddress
            ? FuzzFixtures.LeafIPAddresses.Contains(identity.IPAddress)
            : FuzzFixtures.LeafDnsNames.Where(n => !n.StartsWith('*')).Contains(host, StringComparer.Ordinal);
        Require(!exact || matches, $"'{text}' (host '{host}') is one of the leaf's names but does not match.");

        if (matches)
        {
            ServerIdentity normalised = ServerIdentity.Create(host, identity.Port);
            Require(Matches(normalised, host), $"'{text}' matches the leaf but its normalised form '{host}' does not.");
        }
    }

    private bool Matches(ServerIdentity identity, string text)
    {
        ValidationReport report = Timed("Validate(fixed chain, identity)", () => _validator.Validate(_chain, identity));
        ReportContract.Check(report, _chain, "Validate(fixed chain, identity)");
        bool nameMatches = !report.Modern.Kinds.HasFlag(CertificateProblemKinds.NameMismatch);
        Require(
            report.IsValid == nameMatches,
            $"For '{text}' the fixed chain has problems besides the name: {string.Join("; ", report.Modern.Problems)}.");
        Require(Equals(report.Identity, identity), "The report names another identity than the one validated.");
        return nameMatches;
    }
}
