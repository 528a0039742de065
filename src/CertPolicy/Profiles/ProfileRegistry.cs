namespace CertPolicy;

/// <summary>The names of the endpoint profiles registered with dependency injection; names match regardless of case, as configuration keys do.</summary>
internal sealed class ProfileRegistry
{
    private readonly Dictionary<string, string> _names = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _names.Values;

    /// <summary>Adds a name; returns the name it was first registered with (case may differ).</summary>
    public string Add(string name)
    {
        if (!_names.TryGetValue(name, out string? existing))
        {
            _names.Add(name, name);
            existing = name;
        }

        return existing;
    }

    public bool TryGetCanonicalName(string name, out string canonical)
    {
        bool found = _names.TryGetValue(name, out string? value);
        canonical = value ?? name;
        return found;
    }
}
