using System.Globalization;
using System.Text;

namespace CertPolicy;

/// <summary>
/// Quotes names that come from configuration or from certificates for messages a person reads, so that no
/// control character, invisible character or bidirectional override in a name can garble a log line or a prompt.
/// </summary>
internal static class DisplayText
{
    /// <summary>The most characters of a name a message shows.</summary>
    public const int MaxShownLength = 80;

    /// <summary>Printable ASCII: a line made only of these needs no escaping.</summary>
    private static readonly System.Buffers.SearchValues<char> SafeAscii = System.Buffers.SearchValues.Create(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>The name in single quotes, with control, format and separator characters written as \uXXXX, cut at <see cref="MaxShownLength"/>.</summary>
    /// <param name="value">The name; null is shown as (null).</param>
    /// <returns>The quoted name.</returns>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "(null)";
        }

        var text = new StringBuilder(Math.Min(value.Length, MaxShownLength) + 8);
        text.Append('\'');
        int shown = Math.Min(value.Length, MaxShownLength);
        for (int i = 0; i < shown; i++)
        {
            char c = value[i];
            if (NeedsEscape(c) || (i == 0 && IsCombiningMark(c)))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }

        if (shown < value.Length)
        {
            text.Append(CultureInfo.InvariantCulture, $"…' ({value.Length} characters)");
        }
        else
        {
            text.Append('\'');
        }

        return text.ToString();
    }

    /// <summary>
    /// One line of text for a terminal, unquoted and uncut: control, format and separator characters (line breaks
    /// included) written as \uXXXX, so that text from a certificate cannot move the cursor, recolour or rewrite a prompt.
    /// </summary>
    /// <param name="line">The line.</param>
    /// <returns>The line, safe to print.</returns>
    public static string Escape(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (!line.AsSpan().ContainsAnyExcept(SafeAscii))
        {
            return line;
        }

        var text = new StringBuilder(line.Length + 16);
        foreach (char c in line)
        {
            if (NeedsEscape(c))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>A code point as "U+XXXX".</summary>
    /// <param name="c">The character.</param>
    /// <returns>Its code point.</returns>
    public static string CodePoint(char c) => string.Create(CultureInfo.InvariantCulture, $"U+{(int)c:X4}");

    private static bool IsCombiningMark(char c) =>
        char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark;

    private static bool NeedsEscape(char c) =>
        char.GetUnicodeCategory(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => c != ' ',
            _ => false,
        };
}
