using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Configuration;

namespace Fusebox.Extensions;

/// <summary>
/// One scalar value of the Fusebox section, read strictly: invariant culture, no guessing. An empty value reads as
/// unset (it is how a later configuration source clears a key). A value that does not convert reads as unset too, and
/// is recorded in the <see cref="ConfigurationProvenance"/> as its full path, the value and what is accepted, which
/// then fails validation: on start the host stops, on reload the reload is rejected.
/// </summary>
internal readonly struct ConfigurationValue(IConfigurationSection section, string entryPath, ConfigurationProvenance provenance)
{
    public string? String() => Text();

    public int? Int32() => Read(
        (string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
        text => BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            ? $"'{text}' is out of range (a whole number from {int.MinValue} to {int.MaxValue})"
            : $"'{text}' is not a whole number (use digits, e.g. 5)");

    // NumberStyles.Float has no thousands separator: "0,5" is refused instead of being read as 5.
    public double? Double() => Read(
        (string text, out double value) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value),
        text => $"'{text}' is not a number (use a decimal point, e.g. 0.5)");

    public bool? Boolean() => Read<bool>(bool.TryParse, text => $"'{text}' is not a boolean (use true or false)");

    public TimeSpan? Duration() => Read<TimeSpan>(DurationText.TryParse, DurationText.Explain);

    private T? Read<T>(Parser<T> parse, Func<string, string> explain)
        where T : struct
    {
        if (Text() is not { } text)
        {
            return null;
        }

        if (parse(text, out T value))
        {
            return value;
        }

        Fail(explain(text));
        return null;
    }

    private string? Text()
    {
        if (section.GetChildren().Any())
        {
            Fail("expected a value, found a section");
            return null;
        }

        return string.IsNullOrEmpty(section.Value) ? null : section.Value;
    }

    private void Fail(string message) => provenance.Add(entryPath, $"{section.Path}: {message}.");

    private delegate bool Parser<T>(string text, out T value);
}
