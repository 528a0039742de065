using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CertPolicy.Fuzzing;

/// <summary>
/// The endpoint profile binder and validator: the input is read as a JSON configuration file (or, when it does not
/// start with a brace, as lines of settings) and its "CertPolicy" section registered with
/// <c>services.AddCertPolicy(...)</c>, the public entry point; then the provider and every profile's engine and
/// handshake policy are resolved. Inputs that are not JSON the configuration library accepts are skipped: its parser
/// is not CertPolicy's.
/// </summary>
/// <remarks>
/// Contract: a bad profile fails with <see cref="OptionsValidationException"/> naming the endpoint profile, and a
/// profile without a name with <see cref="ArgumentException"/> saying so (never another exception, never a half-built
/// engine); a profile that resolves has an engine of its own name whose action, validation mode, clock skew and
/// prompt timeout are in range.
/// </remarks>
internal sealed class ProfileTarget : FuzzTarget
{
    public ProfileTarget(TimeSpan callBound)
        : base(callBound)
    {
    }

    public override string Name => "profile";

    public override void Run(ReadOnlySpan<byte> input)
    {
        IConfigurationRoot configuration;
        try
        {
            configuration = input.TrimStart(" \t\r\n\uFEFF"u8).StartsWith("{"u8)
                ? new ConfigurationBuilder().AddJsonStream(new MemoryStream(input.ToArray())).Build()
                : new ConfigurationBuilder().AddInMemoryCollection(Settings(input)).Build();
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return; // Not JSON the configuration library reads: its parser is not under test.
        }

        // Relative paths in the profile (trust store files, CRLs, the approvals file) resolve against the current
        // folder; nothing here writes a file (an approvals file is written only when an approval is saved).
        Resolve(configuration);
    }

    /// <summary>
    /// The other input form, which reaches the binder and validator without the JSON syntax in the way: lines of
    /// <c>PROFILE:Setting=value</c> under <c>CertPolicy:Profiles</c>, as environment variables or command-line
    /// arguments would give them.
    /// </summary>
    private static IEnumerable<KeyValuePair<string, string?>> Settings(ReadOnlySpan<byte> input)
    {
        // Configuration keys are case-insensitive; a key given twice keeps its last value.
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in Encoding.UTF8.GetString(input).Split('\n'))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                settings["CertPolicy:Profiles:" + line[..equals]] = line[(equals + 1)..];
            }
        }

        return settings;
    }

    private void Resolve(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSingleton(FuzzFixtures.Clock);
        try
        {
            services.AddCertPolicy(configuration.GetSection("CertPolicy"));
        }
        catch (ArgumentException ex)
        {
            Require(ex.Message.Contains("endpoint profile without a name", StringComparison.Ordinal), $"AddCertPolicy failed with an undocumented error: {ex}");
            return;
        }

        using ServiceProvider provider = services.BuildServiceProvider();

        EndpointProfileProvider profiles;
        try
        {
            profiles = Timed("resolve EndpointProfileProvider", provider.GetRequiredService<EndpointProfileProvider>);
        }
        catch (OptionsValidationException ex)
        {
            RequireNamed(ex, "resolving the provider");
            return;
        }

        foreach (string name in profiles.ProfileNames)
        {
            CertificateDecisionEngine engine;
            try
            {
                engine = Timed("GetEngine", () => profiles.GetEngine(name));
                _ = Timed("GetHandshakePolicy", () => profiles.GetHandshakePolicy(name));
            }
            catch (OptionsValidationException ex)
            {
                RequireNamed(ex, $"profile '{name}'");
                Require(ex.Message.Contains($"'{name}'", StringComparison.Ordinal), $"The error for profile '{name}' names another: {ex.Message}");
                continue;
            }

            Require(engine.ProfileName == name, $"GetEngine('{name}') returned the engine of '{engine.ProfileName}'.");
            Require(Enum.IsDefined(engine.InvalidCertificateAction), $"Profile '{name}' resolved with the undefined action {engine.InvalidCertificateAction}.");
            EndpointProfileOptions bound = provider.GetRequiredService<IOptionsMonitor<EndpointProfileOptions>>().Get(name);
            Require(Enum.IsDefined(bound.Mode), $"Profile '{name}' resolved with the undefined mode {bound.Mode}.");
            Require(bound.ClockSkew >= TimeSpan.Zero && bound.ClockSkew <= TimeSpan.FromDays(1), $"Profile '{name}' resolved with clock skew {bound.ClockSkew}.");
            Require(engine.PromptTimeout > TimeSpan.Zero, $"Profile '{name}' resolved with prompt timeout {engine.PromptTimeout}.");
            Require(
                Enum.IsDefined(engine.MinimumTlsVersion) && engine.MinimumTlsVersion == bound.MinimumTlsVersion,
                $"Profile '{name}' resolved with the TLS floor {engine.MinimumTlsVersion}, bound {bound.MinimumTlsVersion}.");
        }
    }

    private static void RequireNamed(OptionsValidationException ex, string what) =>
        Require(ex.Message.Contains("Endpoint profile '", StringComparison.Ordinal), $"A validation error {what} names no endpoint profile: {ex.Message}");
}
