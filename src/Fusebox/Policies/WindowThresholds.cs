using System.Globalization;

namespace Fusebox;

/// <summary>The thresholds shared by the windowed policies, validated once, evaluated on window totals.</summary>
internal readonly record struct WindowThresholds
{
    public WindowThresholds(double? failureRate, double? slowCallRate, int minimumCalls)
    {
        if (failureRate is { } f)
        {
            ValidateRate(f, "failureRateThreshold");
        }

        if (slowCallRate is { } s)
        {
            ValidateRate(s, "slowCallRateThreshold");
        }

        if (minimumCalls < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minimumCalls), minimumCalls,
                $"minimumCalls must be at least 1 (was {minimumCalls}).");
        }

        FailureRate = failureRate;
        SlowCallRate = slowCallRate;
        MinimumCalls = minimumCalls;
    }

    public static WindowThresholds SlowOnly(double slowCallRate, int minimumCalls) => new(null, slowCallRate, minimumCalls);

    public double? FailureRate { get; }

    public double? SlowCallRate { get; }

    public int MinimumCalls { get; }

    public TripDecision Evaluate(long calls, long failures, long slowCalls)
    {
        if (calls < MinimumCalls)
        {
            return TripDecision.None;
        }

        if (FailureRate is { } f && (double)failures / calls >= f)
        {
            return TripDecision.FailureRate;
        }

        if (SlowCallRate is { } s && (double)slowCalls / calls >= s)
        {
            return TripDecision.SlowCallRate;
        }

        return TripDecision.None;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(FailureRate is { } f ? $"failureRate>={f:0.###}, " : "")}{(SlowCallRate is { } s ? $"slowCallRate>={s:0.###}, " : "")}minimumCalls={MinimumCalls}");

    private static void ValidateRate(double rate, string name)
    {
        if (!(rate > 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(name, rate, $"{name} must be in (0, 1] (was {rate.ToString(CultureInfo.InvariantCulture)}).");
        }
    }
}
