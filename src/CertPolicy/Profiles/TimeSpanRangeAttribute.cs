using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace CertPolicy;

/// <summary>
/// A <see cref="TimeSpan"/> setting's limits, both inclusive, written as invariant "d.hh:mm:ss" text. The BCL's
/// <c>RangeAttribute(Type, string, string)</c> converts its operands through a TypeConverter, which trimming cannot
/// keep; this one parses them directly.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class TimeSpanRangeAttribute : ValidationAttribute
{
    public TimeSpanRangeAttribute(string minimum, string maximum)
    {
        Minimum = minimum;
        Maximum = maximum;
    }

    public string Minimum { get; }

    public string Maximum { get; }

    public override bool IsValid(object? value) =>
        value is null || value is TimeSpan span
            && span >= TimeSpan.Parse(Minimum, CultureInfo.InvariantCulture)
            && span <= TimeSpan.Parse(Maximum, CultureInfo.InvariantCulture);

    public override string FormatErrorMessage(string name) => string.Create(CultureInfo.InvariantCulture, $"must be between {Minimum} and {Maximum}.");
}
