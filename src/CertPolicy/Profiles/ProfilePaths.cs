namespace CertPolicy;

/// <summary>How profile settings name files.</summary>
internal static class ProfilePaths
{
    /// <summary>Relative paths are taken from the application's base directory, not the current one (which a service does not choose).</summary>
    public static string Resolve(string path) => Path.GetFullPath(path, AppContext.BaseDirectory);

    public static StringComparer Comparer { get; } = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
