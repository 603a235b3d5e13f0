using System.Globalization;

namespace Fusebox;

/// <summary>
/// How a <see cref="BreakerGroup"/> judges its members: an outlier test against the peers (Envoy's success-rate
/// outlier detection), a cap on how many members may be open at once, and a panic threshold below which the group
/// stops rejecting. The group copies these values when it is created and validates them then.
/// </summary>
public sealed class BreakerGroupOptions
{
    /// <summary>The options every member breaker is created with. Default: <see cref="CircuitBreakerOptions"/>'s defaults.</summary>
    public CircuitBreakerOptions MemberOptions { get; set; } = new();

    /// <summary>
    /// The most members that may be open at once because of their own failures (their trip policy or the outlier
    /// test), in percent of the group's members, rounded down but never below one member. A trip beyond it is
    /// reported as "would have opened" and the member stays closed. Default 10; [0, 100].
    /// </summary>
    public double MaxOpenPercent { get; set; } = 10;

    /// <summary>
    /// The group panics (no member rejects) while fewer than this percentage of its members are healthy (closed and not
    /// held closed by the cap): when most hosts look bad at once, the caller is the likelier culprit. Default 50;
    /// [0, 100]; 0 turns panic off.
    /// </summary>
    public double PanicThresholdPercent { get; set; } = 50;

    /// <summary>Whether the group ejects members whose success rate is far below their peers'. Default true.</summary>
    public bool DetectOutliers { get; set; } = true;

    /// <summary>
    /// How far below the peers' mean success rate a member must be, in standard deviations, to be ejected as an
    /// outlier: it is when its rate is below <c>mean − factor × stdev</c>. Default 1.9 (Envoy's); (0, 100].
    /// </summary>
    public double OutlierStdevFactor { get; set; } = 1.9;

    /// <summary>The outlier test runs only when at least this many members have <see cref="OutlierMinimumCalls"/> calls
    /// in the interval. Default 5; [2, 100000].</summary>
    public int OutlierMinimumMembers { get; set; } = 5;

    /// <summary>Calls a member needs in one interval to take part in the outlier test. Default 100; [1, 1000000000].</summary>
    public int OutlierMinimumCalls { get; set; } = 100;

    /// <summary>
    /// How often the group evaluates its members (the outlier test, panic, stale open slots), on the group's
    /// <see cref="TimeProvider"/>. Calls never pay for it. Default 10 s; [1 ms, 1 day].
    /// </summary>
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Copies the options (the member options too).</summary>
    public BreakerGroupOptions Clone()
    {
        var copy = (BreakerGroupOptions)MemberwiseClone();
        copy.MemberOptions = MemberOptions?.Clone()!;
        return copy;
    }

    /// <summary>Checks every option and throws for the first one out of range.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and its range.</exception>
    public void Validate()
    {
        if (MemberOptions is null)
        {
            throw new ArgumentNullException(nameof(MemberOptions), "BreakerGroupOptions.MemberOptions must not be null.");
        }

        MemberOptions.Validate();
        Percent(MaxOpenPercent, nameof(MaxOpenPercent));
        Percent(PanicThresholdPercent, nameof(PanicThresholdPercent));
        if (!(OutlierStdevFactor > 0 && OutlierStdevFactor <= 100))
        {
            throw Range(nameof(OutlierStdevFactor), OutlierStdevFactor, "(0, 100]");
        }

        if (OutlierMinimumMembers is < 2 or > 100_000)
        {
            throw Range(nameof(OutlierMinimumMembers), OutlierMinimumMembers, "[2, 100000]");
        }

        if (OutlierMinimumCalls is < 1 or > 1_000_000_000)
        {
            throw Range(nameof(OutlierMinimumCalls), OutlierMinimumCalls, "[1, 1000000000]");
        }

        if (EvaluationInterval < TimeSpan.FromMilliseconds(1) || EvaluationInterval > CircuitBreakerOptions.MaxDuration)
        {
            throw Range(nameof(EvaluationInterval), EvaluationInterval, "[1 ms, 1 day]");
        }
    }

    private static void Percent(double value, string name)
    {
        if (!(value >= 0 && value <= 100))
        {
            throw Range(name, value, "[0, 100]");
        }
    }

    private static ArgumentOutOfRangeException Range(string name, object value, string range) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"BreakerGroupOptions.{name} must be in {range} (was {value})."));
}
