using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Throttling;

/// <summary>
/// Adaptive throttling against <see cref="ReferenceThrottle"/>: random traffic on a fake clock, outcomes reported
/// some steps after admission (often in a later bucket: the accept still counts in its request's bucket, the time the
/// breaker recorded in the permit), the dependency's failure rate
/// changing in phases so that p rises, saturates and falls again. Every decision, and p before it, must equal the
/// model's; both draw from the same seeded sequence, and the breaker must draw exactly when the model does (p > 0),
/// or the sequences part and the decisions differ.
/// </summary>
public class ThrottlingModelTests
{
    public static TheoryData<int, ThrottlingSignal, double> Runs => new()
    {
        { 1, ThrottlingSignal.Failures, 1 },
        { 2, ThrottlingSignal.Failures, 0.75 },
        { 3, ThrottlingSignal.Overload, 1 },
        { 4, ThrottlingSignal.Overload, 0.5 },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Every_decision_matches_the_reference_model(int seed, ThrottlingSignal signal, double cap)
    {
        var throttling = new AdaptiveThrottlingOptions
        {
            Window = TimeSpan.FromSeconds(60),
            Buckets = 12,
            AcceptsMultiplier = 1.5,
            MaxRejectionProbability = cap,
            NotAccepted = signal,
            RandomSource = new Random(seed * 7919).NextDouble, // single-threaded test: a plain Random is safe here
        };
        var model = new ReferenceThrottle(throttling);
        var modelDraws = new Random(seed * 7919);
        var steps = new Random(seed);
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time, new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(1_000_000), // never trips: throttling alone is under test
            AdaptiveThrottling = throttling,
        });
        var outstanding = new List<(CircuitPermit Permit, long AdmittedAt, bool Failure, bool Overload)>();
        int throttled = 0;
        int sawHighP = 0;

        for (int step = 0; step < 6000; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(steps.Next(0, 400)));
            long now = time.GetTimestamp();
            double failureRate = (step / 1000) switch { 0 => 0.05, 1 => 0.9, 2 => 1.0, 3 => 0.5, 4 => 0.0, _ => 0.3 };

            // Report some outstanding calls first, at this step's time.
            while (outstanding.Count > 0 && steps.NextDouble() < 0.6)
            {
                int i = steps.Next(outstanding.Count);
                var (permit, admittedAt, failure, overload) = outstanding[i];
                outstanding.RemoveAt(i);
                if (overload)
                {
                    permit.RecordOverload();
                }
                else if (failure)
                {
                    permit.RecordFailure();
                }
                else
                {
                    permit.RecordSuccess();
                }

                model.Completed(admittedAt, failure, overload);
            }

            double expectedP = model.Probability(now);
            Assert.Equal(expectedP, breaker.Snapshot().ThrottleProbability);
            bool expectedAdmit = expectedP <= 0 || modelDraws.NextDouble() >= expectedP;
            model.Request(now);
            sawHighP += expectedP > 0.3 ? 1 : 0;

            bool admitted = breaker.TryAcquire(out var issued);
            Assert.True(expectedAdmit == admitted, $"step {step}: model {(expectedAdmit ? "admits" : "rejects")} with p = {expectedP}, the breaker {(admitted ? "admitted" : "rejected")}");
            if (admitted)
            {
                bool failed = steps.NextDouble() < failureRate;
                bool overload = failed && steps.NextDouble() < 0.5; // half the failures are the dependency refusing
                outstanding.Add((issued, now, failed && !overload, overload));
            }
            else
            {
                throttled++;
            }

            Assert.Equal(BreakerState.Closed, breaker.State);
        }

        Assert.Equal(throttled, breaker.Snapshot().ThrottledCalls);
        Assert.Equal(throttled, breaker.Snapshot().RejectedCalls);
        Assert.True(throttled > 500, $"the run must throttle a good share of calls to test anything (throttled {throttled})");
        Assert.True(sawHighP > 500, $"p must rise well above 0 for long (p > 0.3 in {sawHighP} steps)");
    }
}
