// Checks a NuGet package with nothing but the .NET SDK (no unzip, no python): run it as a file-based app,
//   dotnet run eng/check-package.cs -- <command> ...
//
// Commands:
//   verify <package> [--entry <path>]... [--metadata <nuspec element>]... [--reproducible <dll entry>]...
//       Fails unless every entry is in the package, every nuspec metadata element is present and not empty,
//       and every named assembly was compiled deterministically (its debug directory has a Reproducible entry).
//   sourcelink <symbol package> <pdb entry>
//       Prints the Source Link map of a portable PDB inside a .snupkg; fails when it is missing or maps nothing.
//   compare <package A> <package B>
//       Compares two packages entry by entry; fails when an entry differs or is missing from one of them.
//       Also says whether the two files are byte-identical (zip timestamps differ unless SOURCE_DATE_EPOCH
//       was set when packing).
// Exit code: 0 when the check passes, 1 when it fails, 2 for bad arguments.
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

if (args.Length < 2)
{
    return Usage();
}

try
{
    return args[0] switch
    {
        "verify" => Verify(args[1], args[2..]),
        "sourcelink" when args.Length == 3 => SourceLink(args[1], args[2]),
        "compare" when args.Length == 3 => Compare(args[1], args[2]),
        _ => Usage(),
    };
}
catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or BadImageFormatException)
{
    Console.Error.WriteLine($"check-package: {e.Message}");
    return 1;
}

static int Usage()
{
    Console.Error.WriteLine("usage: check-package verify <package> [--entry <path>]... [--metadata <element>]... [--reproducible <dll>]...");
    Console.Error.WriteLine("       check-package sourcelink <symbol package> <pdb entry>");
    Console.Error.WriteLine("       check-package compare <package A> <package B>");
    return 2;
}

static int Verify(string packagePath, string[] options)
{
    if (options.Length % 2 != 0)
    {
        return Usage();
    }

    using ZipArchive package = ZipFile.OpenRead(packagePath);
    var failures = new List<string>();
    XElement? metadata = null;
    for (int i = 0; i < options.Length; i += 2)
    {
        string value = options[i + 1];
        switch (options[i])
        {
            case "--entry":
                if (package.GetEntry(value) is null)
                {
                    failures.Add($"missing entry {value}");
                }

                break;
            case "--metadata":
                metadata ??= ReadNuspecMetadata(package);
                XElement? element = metadata?.Elements().FirstOrDefault(e => e.Name.LocalName == value);
                if (element is null || (element.Value.Length == 0 && !element.HasAttributes))
                {
                    failures.Add($"nuspec has no {value}");
                }
                else
                {
                    Console.WriteLine($"  {value}: {Describe(element)}");
                }

                break;
            case "--reproducible":
                if (!IsReproducible(package, value, out string why))
                {
                    failures.Add($"{value}: {why}");
                }

                break;
            default:
                return Usage();
        }
    }

    foreach (string failure in failures)
    {
        Console.WriteLine($"FAIL {Path.GetFileName(packagePath)}: {failure}");
    }

    if (failures.Count == 0)
    {
        Console.WriteLine($"ok {Path.GetFileName(packagePath)}: {package.Entries.Count} entries, every check passed");
    }

    return failures.Count == 0 ? 0 : 1;
}

static XElement? ReadNuspecMetadata(ZipArchive package)
{
    ZipArchiveEntry? nuspec = package.Entries.FirstOrDefault(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase));
    if (nuspec is null)
    {
        return null;
    }

    using Stream stream = nuspec.Open();
    return XDocument.Load(stream).Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata");
}

static string Describe(XElement element)
{
    string attributes = string.Join(' ', element.Attributes().Where(a => !a.IsNamespaceDeclaration).Select(a => $"{a.Name.LocalName}={a.Value}"));
    string text = element.HasElements ? $"{element.Elements().Count()} child elements" : element.Value;
    string described = string.Join(' ', new[] { attributes, text }.Where(s => s.Length > 0));
    return described.Length <= 100 ? described : string.Concat(described.AsSpan(0, 97), "...");
}

static bool IsReproducible(ZipArchive package, string entryName, out string why)
{
    ZipArchiveEntry? entry = package.GetEntry(entryName);
    if (entry is null)
    {
        why = "missing";
        return false;
    }

    using var pe = new PEReader(new MemoryStream(ReadAll(entry)));
    if (!pe.ReadDebugDirectory().Any(d => d.Type == DebugDirectoryEntryType.Reproducible))
    {
        why = "not compiled deterministically (no Reproducible debug directory entry)";
        return false;
    }

    why = string.Empty;
    return true;
}

static int SourceLink(string symbolPackagePath, string pdbEntryName)
{
    using ZipArchive package = ZipFile.OpenRead(symbolPackagePath);
    ZipArchiveEntry? entry = package.GetEntry(pdbEntryName);
    if (entry is null)
    {
        Console.WriteLine($"FAIL {Path.GetFileName(symbolPackagePath)}: missing entry {pdbEntryName}");
        return 1;
    }

    var sourceLinkKind = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    using var provider = MetadataReaderProvider.FromPortablePdbStream(new MemoryStream(ReadAll(entry)));
    MetadataReader pdb = provider.GetMetadataReader();
    string? map = null;
    foreach (CustomDebugInformationHandle handle in pdb.CustomDebugInformation)
    {
        CustomDebugInformation information = pdb.GetCustomDebugInformation(handle);
        if (pdb.GetGuid(information.Kind) == sourceLinkKind)
        {
            map = Encoding.UTF8.GetString(pdb.GetBlobBytes(information.Value));
        }
    }

    if (map is null || !map.Contains("http", StringComparison.Ordinal))
    {
        Console.WriteLine($"FAIL {pdbEntryName}: no Source Link map{(map is null ? string.Empty : ": " + map)}");
        return 1;
    }

    Console.WriteLine($"ok {pdbEntryName}: Source Link {map}");
    return 0;
}

static int Compare(string pathA, string pathB)
{
    using ZipArchive a = ZipFile.OpenRead(pathA);
    using ZipArchive b = ZipFile.OpenRead(pathB);
    Dictionary<string, string> hashesA = a.Entries.ToDictionary(e => e.FullName, e => Hash(ReadAll(e)), StringComparer.Ordinal);
    Dictionary<string, string> hashesB = b.Entries.ToDictionary(e => e.FullName, e => Hash(ReadAll(e)), StringComparer.Ordinal);
    int differences = 0;
    foreach (string name in hashesA.Keys.Union(hashesB.Keys).Order(StringComparer.Ordinal))
    {
        bool inA = hashesA.TryGetValue(name, out string? hashA);
        bool inB = hashesB.TryGetValue(name, out string? hashB);
        string verdict = !inA ? "only in B" : !inB ? "only in A" : hashA == hashB ? "identical" : "DIFFERENT";
        if (verdict != "identical")
        {
            differences++;
        }

        Console.WriteLine($"  {verdict,-9}  {name}{(inA ? "  sha256 " + hashA![..16] : string.Empty)}");
    }

    bool sameFile = Hash(File.ReadAllBytes(pathA)) == Hash(File.ReadAllBytes(pathB));
    Console.WriteLine($"{(differences == 0 ? "ok" : "FAIL")}: {differences} of {hashesA.Keys.Union(hashesB.Keys).Count()} entries differ; the package files are {(sameFile ? "byte-identical" : differences == 0 ? "not byte-identical (only zip metadata differs)" : "not byte-identical")}");
    return differences == 0 ? 0 : 1;
}

static byte[] ReadAll(ZipArchiveEntry entry)
{
    using Stream stream = entry.Open();
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    return buffer.ToArray();
}

static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
