using System.Globalization;
using Fusebox;
using Checkout.Reporting;

namespace Checkout.Scenario;

/// <summary>
/// <c>--partial-outage</c>: the fraud service loses capacity (it can check 70 of the 100 checkouts a second it is sent
/// and answers the rest 503) for two minutes, and two breakers with the same trip policy face it side by side: the
/// hard breaker alone, and the same breaker with adaptive throttling (docs/throttling.md). On a virtual clock, so it
/// runs in a moment and prints the same figures every time. The hard breaker sees 30 % failing, opens, probes, closes
/// and opens again (it flaps, serving nothing while open); throttling sheds just the calls the service cannot take, so
/// the failure rate stays under the trip threshold and the service is kept at its capacity.
/// </summary>
public static class PartialOutage
{
    private const int Rate = 100; // checkouts a second
    private const double Capacity = 70; // fraud checks a second the service can do during the outage
    private static readonly TimeSpan Length = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan OutageStart = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan OutageEnd = TimeSpan.FromSeconds(150);

    public static IReadOnlyList<Result> Run() =>
    [
        Drive("hard breaker", throttling: null),
        Drive("with adaptive throttling", new AdaptiveThrottlingOptions
        {
            AcceptsMultiplier = 1.1,
            Window = TimeSpan.FromSeconds(30),
            Buckets = 30,
            RandomSource = new Random(17).NextDouble, // seeded, so the figures are the same every run (one thread only)
        }),
    ];

    public static void Print(IReadOnlyList<Result> results, TextWriter output)
    {
        output.WriteLine($"Partial outage: the fraud service takes {Capacity:0} of {Rate} checks a second from {OutageStart.TotalSeconds:0} s to {OutageEnd.TotalSeconds:0} s (the rest get 503); virtual clock, {Length.TotalSeconds:0} s.");
        var table = new TextTable("", "checked", "failed (503)", "rejected", "of which throttled", "opened");
        foreach (var r in results)
        {
            table.Add(r.Name, N(r.Checked), N(r.Failed), N(r.Rejected), N(r.Throttled), N(r.Opens));
        }

        table.WriteTo(output);
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static Result Drive(string name, AdaptiveThrottlingOptions? throttling)
    {
        var clock = new VirtualClock();
        var breaker = new CircuitBreaker(name, new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.FailureRate(0.2, TimeSpan.FromSeconds(10), minimumCalls: 20),
            BreakDuration = TimeSpan.FromSeconds(5),
            AdaptiveThrottling = throttling,
        }, clock);
        int opens = 0;
        breaker.StateChanged += (_, e) => opens += e.NewState == BreakerState.Open ? 1 : 0;
        double tokens = Capacity / 10; // the service's capacity as a token bucket: a burst of a tenth of a second
        long checkedOk = 0, failed = 0;
        var step = TimeSpan.FromSeconds(1.0 / Rate);
        for (var at = TimeSpan.Zero; at < Length; at += step)
        {
            clock.Advance(step);
            bool outage = at >= OutageStart && at < OutageEnd;
            tokens = Math.Min(Capacity / 10, tokens + (Capacity / Rate));
            if (!breaker.TryAcquire(out var permit))
            {
                continue;
            }

            if (!outage || tokens >= 1)
            {
                tokens -= outage ? 1 : 0;
                permit.RecordSuccess();
                checkedOk++;
            }
            else
            {
                permit.RecordOverload(); // a 503: the service refused the check
                failed++;
            }
        }

        var snapshot = breaker.Snapshot();
        return new Result(name, checkedOk, failed, snapshot.RejectedCalls, snapshot.ThrottledCalls, opens);
    }

    /// <summary>One breaker's figures over the run.</summary>
    public sealed record Result(string Name, long Checked, long Failed, long Rejected, long Throttled, int Opens);

    /// <summary>A clock that moves only when told to: the breakers read nothing else.</summary>
    private sealed class VirtualClock : TimeProvider
    {
        private long _ticks = DateTimeOffset.UnixEpoch.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public override DateTimeOffset GetUtcNow() => new(_ticks, TimeSpan.Zero);

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
