using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CertPolicy.Cli.Judging;

/// <summary>
/// An agent's endpoint profile, bound and validated by the library itself (<c>AddCertPolicy</c> over a
/// configuration built from the agent's <c>appsettings.json</c>), with the command line's settings laid over it as
/// configuration keys, so that the tool and the agents read a profile the same way and fail with the same errors.
/// </summary>
/// <remarks>
/// One adaptation: an agent resolves relative paths from its own base directory, which for an agent is the folder its
/// <c>appsettings.json</c> is in; the tool is elsewhere, so relative paths in the file are made absolute from the
/// file's folder first (and relative paths on the command line from the current folder).
/// </remarks>
internal sealed class AgentProfile
{
    /// <summary>The name the profile has when no --profile is given.</summary>
    public const string DefaultName = "certpolicy";

    private const string SystemStore = EndpointProfileOptions.SystemTrustStore;

    private AgentProfile(string name, string? file, CertificateDecisionEngine engine, string trustStore, string? approvalsFile)
    {
        Name = name;
        File = file;
        Validator = engine.Validator;
        Action = engine.InvalidCertificateAction;
        PromptTimeout = engine.PromptTimeout;
        ApprovalScope = engine.ApprovalScope;
        ApprovalLifetime = engine.ApprovalLifetime;
        MinimumTlsVersion = engine.MinimumTlsVersion;
        TrustStoreSetting = trustStore;
        ApprovalsFile = approvalsFile;
    }

    /// <summary>The profile's name.</summary>
    public string Name { get; }

    /// <summary>The oldest TLS version the profile's agents accept (<c>MinimumTlsVersion</c>).</summary>
    public TlsVersionFloor MinimumTlsVersion { get; }

    /// <summary>The settings file it was read from; null when no --profile was given.</summary>
    public string? File { get; }

    /// <summary>The profile's validator, built by the library.</summary>
    public CertificateValidator Validator { get; }

    /// <summary>The profile's InvalidCertificateAction.</summary>
    public InvalidCertificateAction Action { get; }

    /// <summary>The profile's prompt timeout.</summary>
    public TimeSpan PromptTimeout { get; }

    /// <summary>The profile's approval scope: which remembered approvals cover a renewal.</summary>
    public ApprovalScope ApprovalScope { get; }

    /// <summary>The profile's approval lifetime; null for ever.</summary>
    public TimeSpan? ApprovalLifetime { get; }

    /// <summary>True when the profile came from a file, so its action is the agents' own.</summary>
    public bool FromFile => File is not null;

    /// <summary>The TrustStore setting in force, paths absolute.</summary>
    public string TrustStoreSetting { get; }

    /// <summary>The approvals file the profile names (absolute), or null when it names none.</summary>
    public string? ApprovalsFile { get; }

    /// <summary>The trust store in words.</summary>
    public string TrustDescription => string.Join(
        " + ",
        TrustStoreSetting.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => string.Equals(s, SystemStore, StringComparison.OrdinalIgnoreCase) ? "the operating system's root certificates" : s));

    /// <summary>Binds the profile <paramref name="settings"/> names, with the command line's settings over it.</summary>
    /// <exception cref="CliException">The file cannot be read, names no such profile, or the profile is not valid.</exception>
    public static AgentProfile Load(JudgeSettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        var builder = new ConfigurationBuilder();
        string? file = null;
        string? requestedName = null;
        if (settings.Profile is { } spec)
        {
            (file, requestedName) = SplitSpec(spec);
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        }

        IConfigurationRoot fileConfiguration;
        try
        {
            fileConfiguration = builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            throw new CliException($"cannot read the profile file '{file}': {OneLine(ex.Message)}", ex) { Code = "profile-unreadable" };
        }

        (string sectionPath, string name) = FindProfile(fileConfiguration, file, requestedName);
        IConfigurationSection section = fileConfiguration.GetSection(sectionPath);
        var overlay = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string baseFolder = file is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(file)!;

        // Relative paths in the file, from the file's folder (an agent's base directory).
        string trustStore = settings.Trust.Count > 0
            ? ResolveTrust(string.Join(';', settings.Trust), Directory.GetCurrentDirectory())
            : ResolveTrust(section["TrustStore"] ?? SystemStore, baseFolder);
        overlay[$"{sectionPath}:TrustStore"] = trustStore;
        int lists = 0;
        foreach (IConfigurationSection list in section.GetSection("RevocationLists").GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(list.Value))
            {
                overlay[$"{sectionPath}:RevocationLists:{list.Key}"] = Path.GetFullPath(list.Value, baseFolder);
            }

            lists = Math.Max(lists, int.TryParse(list.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int index) ? index + 1 : lists);
        }

        foreach (string crl in settings.RevocationLists)
        {
            overlay[$"{sectionPath}:RevocationLists:{lists++}"] = FullPath(crl, Directory.GetCurrentDirectory(), "--crl");
        }

        string? approvals = settings.ApprovalsFile is { } given
            ? FullPath(given, Directory.GetCurrentDirectory(), "--approvals")
            : string.IsNullOrWhiteSpace(section["ApprovalsFile"]) ? null : FullPath(section["ApprovalsFile"]!, baseFolder, "ApprovalsFile");
        if (approvals is not null)
        {
            overlay[$"{sectionPath}:ApprovalsFile"] = approvals;
        }

        if (settings.ClockSkew is { } skew)
        {
            overlay[$"{sectionPath}:ClockSkew"] = skew.ToString("c", CultureInfo.InvariantCulture);
        }

        if (settings.ExpectedSubject is { } subject)
        {
            overlay[$"{sectionPath}:ExpectedSubject"] = subject;
        }

        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddConfiguration(fileConfiguration)
            .AddInMemoryCollection(overlay)
            .Build();

        var services = new ServiceCollection();
        services.AddSingleton(clock);
        services.AddCertPolicy(policy => policy.AddProfile(name, configuration.GetSection(sectionPath)));
        using ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            CertificateDecisionEngine engine = provider.GetRequiredService<EndpointProfileProvider>().GetEngine(name);
            return new AgentProfile(name, file, engine, trustStore, approvals);
        }
        catch (OptionsValidationException ex)
        {
            string where = file is null ? "the command line's settings" : $"the profile '{name}' in {file}";
            throw new CliException($"{where} {(ex.Failures.Count() == 1 ? "is" : "are")} not valid: {OneLine(string.Join(" ", ex.Failures))}", ex) { Code = "profile-invalid" };
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException($"the profile '{name}' cannot be loaded: {OneLine(ex.Message)}", ex) { Code = "profile-invalid" };
        }
    }

    /// <summary>"file.json:Name" → the file's full path and the name; "file.json" → the path and null.</summary>
    private static (string File, string? Name) SplitSpec(string spec)
    {
        string file = spec;
        string? name = null;
        int colon = spec.LastIndexOf(':');
        if (!System.IO.File.Exists(spec) && colon > 1)
        {
            file = spec[..colon];
            name = spec[(colon + 1)..];
        }

        string full = FullPath(file, Directory.GetCurrentDirectory(), "--profile");
        if (Directory.Exists(full))
        {
            throw new CliException($"--profile '{file}' is a folder; name the agent's appsettings.json.") { Code = "profile-unreadable" };
        }

        if (!System.IO.File.Exists(full))
        {
            throw new CliException($"--profile: the file '{full}' does not exist.") { Code = "profile-unreadable" };
        }

        return (full, string.IsNullOrWhiteSpace(name) ? null : name);
    }

    /// <summary>The section of the profile: CertPolicy:Profiles:NAME (as AddCertPolicy(configuration.GetSection("CertPolicy")) reads it), or Profiles:NAME.</summary>
    private static (string Section, string Name) FindProfile(IConfiguration configuration, string? file, string? requestedName)
    {
        if (file is null)
        {
            return ($"CertPolicy:Profiles:{DefaultName}", DefaultName);
        }

        string parent = configuration.GetSection("CertPolicy:Profiles").GetChildren().Any() ? "CertPolicy:Profiles" : "Profiles";
        List<string> names = [.. configuration.GetSection(parent).GetChildren().Select(c => c.Key)];
        if (names.Count == 0)
        {
            throw new CliException($"'{file}' holds no endpoint profile: expected \"CertPolicy\": {{ \"Profiles\": {{ \"NAME\": {{ ... }} }} }}.") { Code = "profile-not-found" };
        }

        if (requestedName is null)
        {
            return names.Count == 1
                ? ($"{parent}:{names[0]}", names[0])
                : throw new CliException($"'{file}' holds {names.Count} profiles ({string.Join(", ", names)}); name one: --profile {file}:NAME.") { Code = "profile-not-found" };
        }

        string? found = names.Find(n => string.Equals(n, requestedName, StringComparison.OrdinalIgnoreCase));
        return found is not null
            ? ($"{parent}:{found}", found)
            : throw new CliException($"'{file}' has no profile named '{requestedName}'; it has: {string.Join(", ", names)}.") { Code = "profile-not-found" };
    }

    /// <summary>The profile syntax ("System;roots.pem;folder"), each path made absolute from <paramref name="folder"/>.</summary>
    private static string ResolveTrust(string value, string folder) => string.Join(
        ';',
        value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => string.Equals(s, SystemStore, StringComparison.OrdinalIgnoreCase) ? SystemStore : FullPath(s, folder, "TrustStore")));

    private static string FullPath(string path, string folder, string setting)
    {
        try
        {
            return Path.GetFullPath(path, folder);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CliException($"{setting} '{path}' is not a valid path: {OneLine(ex.Message)}", ex) { Code = "bad-arguments" };
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
