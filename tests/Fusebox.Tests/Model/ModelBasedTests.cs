using CsCheck;
using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Model;

/// <summary>
/// Drives the real breaker and <see cref="ReferenceBreaker"/> with the same random program of calls, outcomes,
/// held (in-flight) permits, late reports, manual actions and clock advances, and checks that they agree on every
/// admission decision, every state and every count. CsCheck shrinks a failing program to a minimal one.
/// </summary>
public class ModelBasedTests
{
    private static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Policies => ["consecutive", "count", "time"];

    [Theory]
    [MemberData(nameof(Policies))]
    public void Breaker_agrees_with_the_reference_model(string policy)
    {
        Gen.Int[0, int.MaxValue].Array[1, 400].Sample(program => Run(policy, program), iter: 400, threads: 1);
    }

    private static void Run(string policy, int[] program)
    {
        var config = new ReferenceBreaker.Config(
            policy switch { "consecutive" => ReferenceBreaker.PolicyKind.Consecutive, "count" => ReferenceBreaker.PolicyKind.CountWindow, _ => ReferenceBreaker.PolicyKind.TimeWindow },
            Threshold: 3, Rate: 0.5, Window: 6, MinCalls: 3, TimeWindow: TimeSpan.FromSeconds(10), Buckets: 5,
            Break: Break, Backoff: 2, MaxBreak: TimeSpan.FromSeconds(120), Permits: 2, SuccessesToClose: 2, ProbeTimeout: TimeSpan.FromSeconds(20));

        var time = new FakeTimeProvider();
        Assert.Equal(TimeSpan.TicksPerSecond, time.TimestampFrequency);
        var breaker = TestBreakers.Create(time, new CircuitBreakerOptions
        {
            TripPolicy = config.Policy switch
            {
                ReferenceBreaker.PolicyKind.Consecutive => TripPolicy.ConsecutiveFailures(config.Threshold),
                ReferenceBreaker.PolicyKind.CountWindow => TripPolicy.FailureRate(config.Rate, config.Window, config.MinCalls),
                _ => TripPolicy.FailureRate(config.Rate, config.TimeWindow, config.MinCalls, buckets: config.Buckets),
            },
            BreakDuration = config.Break,
            BreakDurationBackoff = config.Backoff,
            MaxBreakDuration = config.MaxBreak,
            HalfOpenPermits = config.Permits,
            SuccessesToClose = config.SuccessesToClose,
            ProbeTimeout = config.ProbeTimeout,
        });
        var model = new ReferenceBreaker(config, time.GetTimestamp);
        var held = new List<(CircuitPermit Real, ReferenceBreaker.Permit Model)>();

        for (int step = 0; step < program.Length; step++)
        {
            int op = program[step];
            int kind = op % 100;
            int arg = op / 100;
            if (kind < 45)
            {
                // a call that completes at once: success, failure or released
                bool admitted = breaker.TryAcquire(out var real);
                Assert.Equal(model.TryAcquire(out var expected), admitted);
                if (admitted)
                {
                    int outcome = arg % 10 < 5 ? 1 : arg % 10 < 9 ? 0 : 2;
                    Report(real, outcome);
                    model.Report(expected, outcome);
                }
            }
            else if (kind < 55)
            {
                // a call that stays in flight
                bool admitted = breaker.TryAcquire(out var real);
                Assert.Equal(model.TryAcquire(out var expected), admitted);
                if (admitted)
                {
                    held.Add((real, expected));
                }
            }
            else if (kind < 65 && held.Count > 0)
            {
                // an in-flight call reports, possibly long after the state it started in
                int index = arg % held.Count;
                var (real, expected) = held[index];
                held.RemoveAt(index);
                int outcome = (arg / 7) % 3;
                Report(real, outcome);
                model.Report(expected, outcome);
            }
            else if (kind < 96)
            {
                time.Advance(TimeSpan.FromMilliseconds(arg % 25_000));
            }
            else
            {
                var target = (kind % 3) switch { 0 => BreakerState.Closed, 1 => BreakerState.Isolated, _ => BreakerState.Disabled };
                switch (target)
                {
                    case BreakerState.Closed: breaker.Reset(); break;
                    case BreakerState.Isolated: breaker.Isolate(); break;
                    default: breaker.Disable(); break;
                }

                model.Force(target);
            }

            Assert.Equal(model.EffectiveState, breaker.State);
            Assert.Equal(model.Generation, breaker.Snapshot().Generation);
        }

        var s = breaker.Snapshot();
        Assert.Equal((model.Successes, model.Failures, model.Rejected, model.Ignored), (s.SuccessfulCalls, s.FailedCalls, s.RejectedCalls, s.IgnoredCalls));
    }

    private static void Report(CircuitPermit permit, int outcome)
    {
        switch (outcome)
        {
            case 0: permit.RecordSuccess(); break;
            case 1: permit.RecordFailure(); break;
            default: permit.Release(); break;
        }
    }
}
