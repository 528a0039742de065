using System.Globalization;
using System.Text;

namespace CertPolicy.Cli.Output;

/// <summary>
/// Makes text from certificates and servers safe to print: control characters (which could move the cursor, change
/// colours or rewrite earlier lines on a terminal) are shown as \uXXXX instead of being written.
/// </summary>
internal static class TerminalText
{
    public static string Clean(string text, bool keepNewLines = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsCleaning(text, keepNewLines))
        {
            return text;
        }

        var clean = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (IsUnsafe(c, keepNewLines))
            {
                clean.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                clean.Append(c);
            }
        }

        return clean.ToString();
    }

    private static bool NeedsCleaning(string text, bool keepNewLines)
    {
        foreach (char c in text)
        {
            if (IsUnsafe(c, keepNewLines))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(char c, bool keepNewLines) =>
        (keepNewLines && c == '\n') ? false : char.IsControl(c) || c is '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
