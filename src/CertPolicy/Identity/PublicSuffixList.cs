using System.Globalization;
using System.Text;

namespace CertPolicy;

/// <summary>
/// The Public Suffix List (https://publicsuffix.org), both its ICANN and its PRIVATE section: names under which
/// unrelated parties register names, so that no single certificate may cover all of them with a wildcard
/// (<c>*.com</c>, <c>*.co.uk</c>, <c>*.s3.amazonaws.com</c>). The copy shipped with the library is an embedded
/// resource, read once, on first use (only a wildcard that would otherwise match needs it). Rules given in
/// Unicode are stored as A-labels, since the names looked up are in ASCII form. Thread-safe.
/// </summary>
internal sealed class PublicSuffixList
{
    /// <summary>The name of the embedded copy of the list.</summary>
    public const string ResourceName = "CertPolicy.Identity.public_suffix_list.dat";

    private static readonly Lazy<PublicSuffixList> s_shipped = new(LoadShipped, LazyThreadSafetyMode.ExecutionAndPublication);

    // Every rule in ASCII, as written in the list ("co.uk", "*.ck", "!www.ck"), sorted ordinally and stored end to
    // end in one string: rule i is _rules[_starts[i].._starts[i + 1]]. About 280 KiB for the whole list, searched
    // by bisection.
    private readonly string _rules;
    private readonly int[] _starts;

    private PublicSuffixList(string rules, int[] starts, int icannRules, int privateRules, int skippedRules, bool isAvailable)
    {
        _rules = rules;
        _starts = starts;
        IcannRuleCount = icannRules;
        PrivateRuleCount = privateRules;
        SkippedRuleCount = skippedRules;
        IsAvailable = isAvailable;
    }

    /// <summary>The list shipped with the library, loaded on first use.</summary>
    public static PublicSuffixList Shipped => s_shipped.Value;

    /// <summary>What stands in for a list that could not be read: every name is a public suffix, so no wildcard matches.</summary>
    internal static PublicSuffixList Unavailable { get; } = new(string.Empty, [0], 0, 0, 0, isAvailable: false);

    /// <summary>
    /// False when the list could not be read; every name is then treated as a public suffix, so that no wildcard
    /// matches (fail closed).
    /// </summary>
    public bool IsAvailable { get; }

    /// <summary>Rules read from the ICANN section.</summary>
    public int IcannRuleCount { get; }

    /// <summary>Rules read from the PRIVATE section.</summary>
    public int PrivateRuleCount { get; }

    /// <summary>Rules that could not be converted to ASCII and were left out (expected: none).</summary>
    public int SkippedRuleCount { get; }

    /// <summary>Every rule kept: normal, wildcard and exception.</summary>
    public int RuleCount => _starts.Length - 1;

    /// <summary>Reads a list in the publicsuffix.org format: one rule per line, "//" comments, "*." wildcard and "!" exception rules.</summary>
    /// <param name="reader">The list's text.</param>
    /// <returns>The list.</returns>
    public static PublicSuffixList Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var rules = new List<string>(10_000);
        var idna = new IdnMapping { UseStd3AsciiRules = true, AllowUnassigned = false };
        bool inPrivateSection = false;
        int icann = 0;
        int privateRules = 0;
        int skipped = 0;
        while (reader.ReadLine() is { } line)
        {
            ReadOnlySpan<char> text = line.AsSpan().Trim();
            if (text.StartsWith("//", StringComparison.Ordinal))
            {
                if (text.Contains("===BEGIN PRIVATE DOMAINS===", StringComparison.Ordinal))
                {
                    inPrivateSection = true;
                }
                else if (text.Contains("===END PRIVATE DOMAINS===", StringComparison.Ordinal))
                {
                    inPrivateSection = false;
                }

                continue;
            }

            int space = text.IndexOfAny(' ', '\t');
            if (space >= 0)
            {
                text = text[..space];
            }

            if (text.IsEmpty)
            {
                continue;
            }

            string prefix = text[0] == '!' ? "!" : text.StartsWith("*.", StringComparison.Ordinal) ? "*." : string.Empty;
            string? ascii = ToAsciiName(text[prefix.Length..], idna);
            if (ascii is null)
            {
                skipped++;
                continue;
            }

            rules.Add(prefix + ascii);
            if (inPrivateSection)
            {
                privateRules++;
            }
            else
            {
                icann++;
            }
        }

        rules.Sort(StringComparer.Ordinal);
        var blob = new StringBuilder(rules.Count * 16);
        var starts = new List<int>(rules.Count + 1);
        string? previous = null;
        foreach (string rule in rules)
        {
            if (string.Equals(rule, previous, StringComparison.Ordinal))
            {
                continue;
            }

            starts.Add(blob.Length);
            blob.Append(rule);
            previous = rule;
        }

        starts.Add(blob.Length);
        return new PublicSuffixList(blob.ToString(), [.. starts], icann, privateRules, skipped, isAvailable: true);
    }

    /// <summary>
    /// True when the name is a public suffix: no one below it controls it, by the list's rules and the implicit
    /// rule "*" (every top-level label is a public suffix, listed or not).
    /// </summary>
    /// <param name="name">A lower-case ASCII DNS name without trailing dot.</param>
    /// <returns>True when the name is a public suffix; also true (fail closed) when the list is unavailable or the name is empty or too long.</returns>
    public bool IsPublicSuffix(ReadOnlySpan<char> name) =>
        !IsAvailable || name.IsEmpty || name.Length > HostNameNormalizer.MaxNameLength
        || GetPublicSuffixLabelCount(name) == name.Count('.') + 1;

    /// <summary>
    /// How many labels, from the right, form the name's public suffix, by the publicsuffix.org algorithm: of the
    /// rules that match, an exception rule prevails (and its suffix is the rule minus its first label); otherwise the
    /// rule with the most labels; the implicit rule "*" when none matches.
    /// </summary>
    /// <param name="name">A lower-case ASCII DNS name without trailing dot, at most 253 characters.</param>
    /// <returns>The number of labels of the public suffix, at least 1.</returns>
    public int GetPublicSuffixLabelCount(ReadOnlySpan<char> name)
    {
        if (name.Length > HostNameNormalizer.MaxNameLength)
        {
            throw new ArgumentException("The name is longer than a DNS name can be.", nameof(name));
        }

        Span<char> key = stackalloc char[HostNameNormalizer.MaxNameLength + 2];
        int prevailing = 1;
        int exception = 0;
        int labels = 0;
        int parentStart = -1;

        // Walk the suffixes from the top-level label leftwards: "uk", "co.uk", "example.co.uk".
        int end = name.Length;
        while (end >= 0)
        {
            int start = name[..end].LastIndexOf('.') + 1;
            ReadOnlySpan<char> suffix = name[start..];
            labels++;
            if (Contains(Compose(key, "!", suffix)))
            {
                exception = labels;
            }

            if (Contains(suffix) || (parentStart >= 0 && Contains(Compose(key, "*.", name[parentStart..]))))
            {
                prevailing = labels;
            }

            parentStart = start;
            end = start - 1;
        }

        return exception > 0 ? exception - 1 : prevailing;
    }

    private static ReadOnlySpan<char> Compose(Span<char> buffer, string prefix, ReadOnlySpan<char> name)
    {
        prefix.CopyTo(buffer);
        name.CopyTo(buffer[prefix.Length..]);
        return buffer[..(prefix.Length + name.Length)];
    }

    private bool Contains(ReadOnlySpan<char> rule)
    {
        int low = 0;
        int high = _starts.Length - 2;
        while (low <= high)
        {
            int middle = low + ((high - low) / 2);
            int order = _rules.AsSpan(_starts[middle], _starts[middle + 1] - _starts[middle]).SequenceCompareTo(rule);
            if (order == 0)
            {
                return true;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return false;
    }

    private static string? ToAsciiName(ReadOnlySpan<char> rule, IdnMapping idna)
    {
        if (Ascii.IsValid(rule))
        {
            return rule.ToString().ToLowerInvariant();
        }

        try
        {
            return idna.GetAscii(rule.ToString()).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static PublicSuffixList LoadShipped()
    {
        using Stream? stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null)
        {
            return Unavailable;
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader);
    }
}
