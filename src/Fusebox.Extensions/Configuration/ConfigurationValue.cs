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

    public int? Int32()
    {
        if (Text() is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        Fail(BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
            ? $"'{text}' is out of range (a whole number from {int.MinValue} to {int.MaxValue})"
            : $"'{text}' is not a whole number (use digits, e.g. 5)");
        return null;
    }

    public double? Double()
    {
        if (Text() is not { } text)
        {
            return null;
        }

        // NumberStyles.Float has no thousands separator: "0,5" is refused instead of being read as 5.
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
        {
            return value;
        }

        Fail($"'{text}' is not a number (use a decimal point, e.g. 0.5)");
        return null;
    }

    public bool? Boolean()
    {
        if (Text() is not { } text)
        {
            return null;
        }

        if (bool.TryParse(text, out bool value))
        {
            return value;
        }

        Fail($"'{text}' is not a boolean (use true or false)");
        return null;
    }

    public TimeSpan? Duration()
    {
        if (Text() is not { } text)
        {
            return null;
        }

        if (DurationText.TryParse(text, out var value))
        {
            return value;
        }

        Fail(DurationText.Explain(text));
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
}
