using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CertPolicy;

/// <summary>
/// What a profile's settings name on disk, loaded: its trust store and revocation lists. Each built profile loads its
/// own (<see cref="Load"/>); validating the settings loads them too, only to report a missing or malformed file at
/// start-up, and keeps nothing.
/// </summary>
internal sealed class ProfileResources
{
    private ProfileResources(TrustStore trustStore, ReadOnlyMemory<byte>[] revocationLists)
    {
        TrustStore = trustStore;
        RevocationLists = revocationLists;
    }

    public TrustStore TrustStore { get; }

    public IReadOnlyList<ReadOnlyMemory<byte>> RevocationLists { get; }

    /// <summary>Loads what <paramref name="options"/> names, for the profile being built.</summary>
    /// <param name="profileName">The profile's name.</param>
    /// <param name="options">The profile's settings.</param>
    /// <returns>The loaded files.</returns>
    /// <exception cref="OptionsValidationException">A file cannot be loaded; every failure names the profile, the setting and the file.</exception>
    public static ProfileResources Load(string profileName, EndpointProfileOptions options)
    {
        var failures = new List<string>();
        return TryLoad(options, (setting, message) => failures.Add(EndpointProfileOptionsValidator.Failure(profileName, setting, message)))
            ?? throw new OptionsValidationException(profileName, typeof(EndpointProfileOptions), failures);
    }

    /// <summary>Reports each setting whose files cannot be loaded; keeps nothing.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="fail">Receives the setting's name and what is wrong with it.</param>
    public static void Check(EndpointProfileOptions options, Action<string, string> fail) => TryLoad(options, fail);

    private static ProfileResources? TryLoad(EndpointProfileOptions options, Action<string, string> fail)
    {
        TrustStore? trustStore = LoadTrustStore(options.TrustStore, message => fail(nameof(EndpointProfileOptions.TrustStore), message));
        ReadOnlyMemory<byte>[]? revocationLists = LoadRevocationLists(options.RevocationLists, message => fail(nameof(EndpointProfileOptions.RevocationLists), message));
        return trustStore is null || revocationLists is null ? null : new ProfileResources(trustStore, revocationLists);
    }

    private static TrustStore? LoadTrustStore(string? value, Action<string> fail)
    {
        string[] sources = (value ?? string.Empty).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (sources.Length == 0)
        {
            fail($"must be \"{EndpointProfileOptions.SystemTrustStore}\" or the path of a PEM file or folder; it is empty.");
            return null;
        }

        var stores = new List<TrustStore>();
        foreach (string source in sources)
        {
            if (string.Equals(source, EndpointProfileOptions.SystemTrustStore, StringComparison.OrdinalIgnoreCase))
            {
                stores.Add(CertPolicy.TrustStore.System);
                continue;
            }

            string path;
            try
            {
                path = ProfilePaths.Resolve(source);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                fail($"'{source}' is not a valid path: {ex.Message}");
                return null;
            }

            try
            {
                if (Directory.Exists(path))
                {
                    stores.Add(CertPolicy.TrustStore.FromPemDirectory(path));
                }
                else if (File.Exists(path))
                {
                    stores.Add(CertPolicy.TrustStore.FromPemFile(path));
                }
                else
                {
                    fail($"the file or folder '{path}' does not exist.");
                    return null;
                }
            }
            catch (Exception ex) when (ex is TrustStoreException or IOException or UnauthorizedAccessException)
            {
                fail($"'{path}' cannot be loaded: {ex.Message}");
                return null;
            }
        }

        return stores.Count == 1 ? stores[0] : CertPolicy.TrustStore.Combine(stores);
    }

    private static ReadOnlyMemory<byte>[]? LoadRevocationLists(IList<string>? files, Action<string> fail)
    {
        var lists = new List<ReadOnlyMemory<byte>>();
        foreach (string? file in files ?? [])
        {
            if (string.IsNullOrWhiteSpace(file))
            {
                fail("an entry is empty.");
                return null;
            }

            string path;
            byte[] bytes;
            try
            {
                path = ProfilePaths.Resolve(file);
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                fail($"'{file}' cannot be read: {ex.Message}");
                return null;
            }

            if (!TryDecode(bytes, lists))
            {
                fail($"'{path}' holds neither a DER revocation list nor PEM \"X509 CRL\" entries.");
                return null;
            }
        }

        return [.. lists];
    }

    /// <summary>PEM "X509 CRL" entries, or the bytes themselves when they are DER (an ASN.1 SEQUENCE).</summary>
    private static bool TryDecode(byte[] bytes, List<ReadOnlyMemory<byte>> lists)
    {
        if (bytes.Length > 0 && bytes[0] == 0x30)
        {
            lists.Add(bytes);
            return true;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        int found = 0;
        ReadOnlySpan<char> rest = text;
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            if (rest[fields.Label].SequenceEqual("X509 CRL"))
            {
                lists.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString()));
                found++;
            }

            rest = rest[fields.Location.End.GetOffset(rest.Length)..];
        }

        return found > 0;
    }
}
