using System.Globalization;
using System.Text.RegularExpressions;

namespace CertPolicy.Cli.Commands;

/// <summary>Reads the command line's durations (--clock-skew) and instants (--at).</summary>
internal static partial class TimeArguments
{
    /// <summary>"90s", "5m", "2h", "30d", "1w" (a sign allowed), or a .NET TimeSpan such as "00:05:00".</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(text);
        Match match = DurationPattern().Match(text.Trim());
        if (match.Success)
        {
            double value = double.Parse(match.Groups["value"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            if (match.Groups["sign"].Value == "-")
            {
                value = -value;
            }

            duration = match.Groups["unit"].Value.ToLowerInvariant() switch
            {
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                "d" => TimeSpan.FromDays(value),
                _ => TimeSpan.FromDays(value * 7),
            };
            return true;
        }

        return TimeSpan.TryParse(text.Trim(), CultureInfo.InvariantCulture, out duration);
    }

    /// <summary>
    /// An absolute instant in ISO 8601 ("2027-01-15", "2027-01-15T12:00:00Z"; UTC when no offset is given), or one
    /// relative to <paramref name="now"/> ("+30d", "-2h", "+1w").
    /// </summary>
    /// <exception cref="CliException">The text is neither.</exception>
    public static DateTimeOffset ParseInstant(string text, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (trimmed.Length > 1 && (trimmed[0] == '+' || trimmed[0] == '-') && TryParseDuration(trimmed, out TimeSpan offset))
        {
            return now + offset;
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset at))
        {
            return at;
        }

        throw new CliException($"--at '{text}' is not a time: give an ISO 8601 time such as 2027-01-15T12:00:00Z, or one relative to now such as +30d or -2h.") { Code = "bad-arguments" };
    }

    [GeneratedRegex(@"^(?<sign>[+-]?)(?<value>\d+(\.\d+)?)(?<unit>[smhdwSMHDW])$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
