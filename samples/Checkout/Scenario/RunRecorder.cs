using Checkout.Payments;

namespace Checkout.Scenario;

/// <summary>Records every checkout of one run: when it was issued, in which phase, how long it took, how it ended.</summary>
public sealed class RunRecorder(int capacity)
{
    private readonly double[] _latencyMs = new double[capacity];
    private readonly Phase[] _phase = new Phase[capacity];
    private readonly CheckoutResult?[] _result = new CheckoutResult?[capacity];
    private int _issued;
    private int _completed;

    public int Issued => Volatile.Read(ref _issued);

    public int Completed => Volatile.Read(ref _completed);

    public int InFlight => Issued - Completed;

    /// <summary>Reserves the slot of a new checkout.</summary>
    public int Begin(Phase phase)
    {
        int i = Interlocked.Increment(ref _issued) - 1;
        _phase[i] = phase;
        return i;
    }

    public void End(int slot, TimeSpan latency, CheckoutResult result)
    {
        _latencyMs[slot] = latency.TotalMilliseconds;
        _result[slot] = result;
        Interlocked.Increment(ref _completed);
    }

    public RunSummary Summarize(string name, int peakInFlight, int dependencyCalls, IReadOnlyList<TimelineEntry> timeline)
    {
        int n = Issued;
        int Count(CheckoutResult r) => _result.Take(n).Count(x => x == r);
        var outage = Enumerable.Range(0, n).Where(i => PhaseSchedule.IsOutage(_phase[i])).Select(i => _latencyMs[i]).ToArray();
        var all = _latencyMs.Take(n).ToArray();
        return new RunSummary(
            name, n, Count(CheckoutResult.Approved), Count(CheckoutResult.FlaggedForReview), Count(CheckoutResult.Error),
            Lost: n - _result.Take(n).Count(x => x is not null),
            Latency.Of(all), Latency.Of(outage), peakInFlight, dependencyCalls, timeline);
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Latency(double P50Ms, double P99Ms, double MaxMs, int Samples)
{
    public static Latency Of(double[] samples)
    {
        if (samples.Length == 0)
        {
            return new Latency(0, 0, 0, 0);
        }

        var sorted = samples.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Latency(At(0.50), At(0.99), sorted[^1], sorted.Length);
    }
}

/// <summary>One breaker state change, seconds after the scenario started.</summary>
public sealed record TimelineEntry(double AtSeconds, string State, string? Reason);

/// <summary>The numbers of one run.</summary>
public sealed record RunSummary(
    string Name,
    int Requests,
    int Approved,
    int FlaggedForReview,
    int Errors,
    int Lost,
    Latency All,
    Latency Outage,
    int PeakInFlightFraudCalls,
    int FraudServiceCalls,
    IReadOnlyList<TimelineEntry> BreakerTimeline);

/// <summary>Both runs side by side, and the seed's status report of every breaker of the Fusebox run.</summary>
public sealed record ScenarioReport(double DurationSeconds, int RatePerSecond, RunSummary WithoutBreaker, RunSummary WithFusebox, IReadOnlyList<string> BreakerReports)
{
    /// <summary>How many times lower the checkout p99 was with the breaker during the outage.</summary>
    public double OutageP99Improvement => WithFusebox.Outage.P99Ms <= 0 ? double.PositiveInfinity : WithoutBreaker.Outage.P99Ms / WithFusebox.Outage.P99Ms;
}
