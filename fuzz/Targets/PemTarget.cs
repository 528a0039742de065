using System.Formats.Asn1;
using System.Security.Cryptography;

namespace CertPolicy.Fuzzing;

/// <summary>
/// The PEM bundle and folder readers: the input is written as a bundle file and read with
/// <see cref="TrustStore.FromPemFile"/>, then put in a folder beside the fixed root's PEM file and read with
/// <see cref="TrustStore.FromPemDirectory"/>.
/// </summary>
/// <remarks>
/// Contract: only <see cref="TrustStoreException"/>, naming the file at fault; a store that loads holds at least one
/// anchor, each one DER element; the folder loads exactly when the bundle does (all or nothing) with the anchors of
/// both files; and the fixed chain validates against the bundle only when it holds the fixed root or intermediate.
/// </remarks>
internal sealed class PemTarget : FuzzTarget
{
    private readonly ServerIdentity _identity = ServerIdentity.Create(FuzzFixtures.HostName);
    private readonly ReadOnlyMemory<byte>[] _chain = [FuzzFixtures.Leaf, FuzzFixtures.Intermediate];
    private readonly string _rootPem = PemEncoding.WriteString("CERTIFICATE", FuzzFixtures.Root) + "\n";
    private readonly string? _rootSubjectAndKey = SubjectAndKey(FuzzFixtures.Root);
    private readonly string? _intermediateSubjectAndKey = SubjectAndKey(FuzzFixtures.Intermediate);

    public PemTarget(TimeSpan callBound)
        : base(callBound)
    {
    }

    public override string Name => "pem";

    public override void Run(ReadOnlySpan<byte> input)
    {
        string bundle = TempFolder.WriteInput(Name, "bundle.pem", input);
        string folder = Path.GetDirectoryName(bundle)!;
        (TrustStore? fileStore, TrustAnchors? fromFile) = Load("TrustStore.FromPemFile", () => TrustStore.FromPemFile(bundle), bundle);

        string directory = Path.Combine(folder, "certs");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "0-root.pem"), _rootPem);
        string fuzzed = Path.Combine(directory, "1-fuzzed.pem");
        File.WriteAllBytes(fuzzed, input.ToArray());
        (_, TrustAnchors? fromDirectory) = Load("TrustStore.FromPemDirectory", () => TrustStore.FromPemDirectory(directory), fuzzed);

        Require(
            (fromFile is null) == (fromDirectory is null),
            $"The bundle {(fromFile is null ? "fails" : "loads")} on its own but the folder holding it {(fromDirectory is null ? "fails" : "loads")}.");
        if (fileStore is null || fromFile is null || fromDirectory is null)
        {
            return;
        }

        HashSet<string> expected = [.. fromFile.Certificates.Select(Hex), Hex(FuzzFixtures.Root)];
        HashSet<string> actual = [.. fromDirectory.Certificates.Select(Hex)];
        Require(expected.SetEquals(actual), $"The folder holds {actual.Count} distinct anchors, not the {expected.Count} of its two files.");

        var validator = new CertificateValidator(new CertificateValidatorOptions { TrustStore = fileStore }, FuzzFixtures.Clock);
        ValidationReport report = Timed("Validate against the bundle", () => validator.Validate(_chain, _identity));
        // A trust anchor is a name and a key (RFC 5280 6.1.1 (d)): an anchor whose own signature or validity differs
        // from the fixed root's is still that root.
        bool holdsIssuer = fromFile.Certificates.Any(a => SubjectAndKey(a) is { } anchor && (anchor == _rootSubjectAndKey || anchor == _intermediateSubjectAndKey));
        Require(!report.IsValid || holdsIssuer, "The fixed chain is valid against a bundle that holds neither its root's nor its intermediate's name and key.");
    }

    private (TrustStore? Store, TrustAnchors? Anchors) Load(string call, Func<TrustStore> load, string file)
    {
        TrustStore store;
        try
        {
            store = Timed(call, load);
        }
        catch (TrustStoreException ex)
        {
            Require(
                ex.FilePath is not null && Path.GetFullPath(ex.FilePath) == Path.GetFullPath(file),
                $"{call}: the error names '{ex.FilePath}', not the file at fault '{file}': {ex.Message}");
            return (null, null);
        }

        TrustAnchors anchors = Timed($"{call} GetAnchors", store.GetAnchors);
        Require(anchors.Count >= 1 && anchors.Count == anchors.Certificates.Count, $"{call}: a store that loaded holds {anchors.Count} anchors.");
        foreach (ReadOnlyMemory<byte> anchor in anchors.Certificates)
        {
            bool oneElement;
            try
            {
                oneElement = AsnDecoder.TryReadEncodedValue(anchor.Span, AsnEncodingRules.DER, out Asn1Tag tag, out _, out _, out int consumed)
                    && consumed == anchor.Length && tag == Asn1Tag.Sequence;
            }
            catch (AsnContentException)
            {
                oneElement = false;
            }

            Require(oneElement, $"{call}: an anchor is not one DER SEQUENCE: {Convert.ToHexString(anchor.Span[..Math.Min(anchor.Length, 32)])}...");
        }

        return (store, anchors);
    }

    private static string Hex(ReadOnlyMemory<byte> der) => Convert.ToHexString(der.Span);

    /// <summary>The DER of a certificate's subject and subjectPublicKeyInfo, as hex; null when it has no such shape.</summary>
    private static string? SubjectAndKey(ReadOnlyMemory<byte> certificate)
    {
        try
        {
            AsnReader tbs = new AsnReader(certificate, AsnEncodingRules.BER).ReadSequence().ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                tbs.ReadEncodedValue(); // version
            }

            tbs.ReadEncodedValue(); // serialNumber
            tbs.ReadEncodedValue(); // signature
            tbs.ReadEncodedValue(); // issuer
            tbs.ReadEncodedValue(); // validity
            return Hex(tbs.ReadEncodedValue()) + "/" + Hex(tbs.ReadEncodedValue());
        }
        catch (AsnContentException)
        {
            return null;
        }
    }
}
