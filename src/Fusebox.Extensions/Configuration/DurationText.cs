using System.Globalization;

namespace Fusebox.Extensions;

/// <summary>
/// The durations Fusebox configuration accepts: a <see cref="TimeSpan"/> with colons (<c>"00:00:30"</c>,
/// <c>"1.00:00:00"</c>, <c>"00:00:00.250"</c>), or a non-negative number and one unit (<c>"250ms"</c>, <c>"30s"</c>,
/// <c>"1.5m"</c>, <c>"2h"</c>, <c>"1d"</c>). A bare number is refused: <see cref="TimeSpan.Parse(string)"/> would read
/// <c>30</c> as 30 days, which is never what <c>"BreakDuration": 30</c> means.
/// </summary>
internal static class DurationText
{
    // "ms" before "m" and "s", which it ends with.
    private static readonly (string Unit, long TicksPerUnit)[] s_units =
    [
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
        ("d", TimeSpan.TicksPerDay),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        string trimmed = text.Trim();
        if (trimmed.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out value);
        }

        foreach (var (unit, ticksPerUnit) in s_units)
        {
            if (trimmed.EndsWith(unit, StringComparison.OrdinalIgnoreCase)
                && decimal.TryParse(trimmed.AsSpan(0, trimmed.Length - unit.Length), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal amount)
                && amount <= TimeSpan.MaxValue.Ticks / ticksPerUnit)
            {
                value = new TimeSpan((long)decimal.Round(amount * ticksPerUnit));
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Why <paramref name="text"/> is not a duration, and what to write instead (only forms that
    /// <see cref="TryParse"/> accepts).</summary>
    public static string Explain(string text)
    {
        string trimmed = text.Trim();
        if (decimal.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds)
            && seconds <= TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond)
        {
            var asSeconds = new TimeSpan((long)decimal.Round(seconds * TimeSpan.TicksPerSecond));
            return $"'{text}' has no unit; use \"{asSeconds.ToString("c", CultureInfo.InvariantCulture)}\" or \"{trimmed}s\"";
        }

        return $"'{text}' is not a duration (use hh:mm:ss, e.g. \"00:00:30\", or a number and a unit ms, s, m, h or d, e.g. \"30s\")";
    }
}
