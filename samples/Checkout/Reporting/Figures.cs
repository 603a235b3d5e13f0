using System.Globalization;

namespace Checkout.Reporting;

/// <summary>The report's number formats, one per kind of figure, so that a column never mixes two.</summary>
public static class Figures
{
    /// <summary>A count, with thousands separators: "6,000".</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A latency, always with two decimals: "0.42 ms", "5,001.37 ms".</summary>
    public static string Ms(double value) => value.ToString("N2", CultureInfo.InvariantCulture) + " ms";

    /// <summary>A time, always with two decimals: "1.25 s"; "never" for none.</summary>
    public static string Seconds(double? value) => value is { } v ? v.ToString("N2", CultureInfo.InvariantCulture) + " s" : "never";

    /// <summary>A share, with one decimal: "80.0 %".</summary>
    public static string Percent(double fraction) => (fraction * 100).ToString("N1", CultureInfo.InvariantCulture) + " %";
}
