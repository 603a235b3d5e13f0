using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary>The seed's scenario with its defaults: 5 consecutive failures open; 30 s rejected; 3 probes; close or re-open.</summary>
public class SeedScenarioTests
{
    [Fact]
    public void Four_failures_keep_it_closed_the_fifth_opens()
    {
        var (breaker, _) = TestBreakers.Create();

        breaker.FailTimes(4);
        Assert.Equal(BreakerState.Closed, breaker.State);

        breaker.Fail();
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TransitionReason.ConsecutiveFailures, breaker.Snapshot().LastReason);
        Assert.Equal("5 consecutive failures", breaker.Snapshot().LastReasonDescription);
    }

    [Fact]
    public void A_success_restarts_the_consecutive_count()
    {
        var (breaker, _) = TestBreakers.Create();

        breaker.FailTimes(4);
        breaker.Succeed();
        breaker.FailTimes(4);

        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void Open_rejects_for_the_whole_break_duration()
    {
        var (breaker, time) = TestBreakers.Create();
        breaker.Trip();

        time.Advance(TimeSpan.FromSeconds(29.999));
        Assert.False(breaker.TryAcquire(out _, out var retryAfter));
        Assert.Equal(TimeSpan.FromMilliseconds(1), retryAfter);
        Assert.Equal(BreakerState.Open, breaker.State);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(breaker.TryAcquire(out var probe));
        Assert.True(probe.IsProbe);
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
    }

    [Fact]
    public void Half_open_lets_exactly_three_through_and_three_successes_close()
    {
        var (breaker, time) = TestBreakers.Create();
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.True(breaker.TryAcquire(out var p1));
        Assert.True(breaker.TryAcquire(out var p2));
        Assert.True(breaker.TryAcquire(out var p3));
        Assert.False(breaker.TryAcquire(out _));

        p1.RecordSuccess();
        p2.RecordSuccess();
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        p3.RecordSuccess();

        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(TransitionReason.ProbesSucceeded, breaker.Snapshot().LastReason);
    }

    [Fact]
    public void A_probe_failure_reopens_for_another_break()
    {
        var (breaker, time) = TestBreakers.Create();
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));

        breaker.Succeed();
        breaker.Fail();

        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(TransitionReason.ProbeFailed, breaker.Snapshot().LastReason);
        Assert.Equal(TimeSpan.FromSeconds(30), breaker.Snapshot().RetryAfter);
    }

    [Fact]
    public void The_report_has_the_seeds_numbers()
    {
        var (breaker, time) = TestBreakers.Create();
        breaker.Succeed();
        breaker.Trip();                       // 5 failures
        Assert.False(breaker.TryAcquire(out _));
        Assert.False(breaker.TryAcquire(out _));

        var s = breaker.Snapshot();

        Assert.Equal(8, s.TotalCalls);
        Assert.Equal(1, s.SuccessfulCalls);
        Assert.Equal(5, s.FailedCalls);
        Assert.Equal(2, s.RejectedCalls);
        Assert.Equal(1, s.StateChanges);
        Assert.Equal(1.0 / 8, s.SuccessRate, 6);
        Assert.Equal(time.GetUtcNow(), s.OpenedAt);
        Assert.Contains("Rejected (open): 2", s.ToReport(), StringComparison.Ordinal);
        Assert.Contains("Success rate:    12.5%", s.ToReport(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seed_payment_flow_flags_for_review_once_open()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(3) });
        int dependencyCalls = 0;
        var results = new List<string>();

        for (int i = 0; i < 10; i++)
        {
            var outcome = await breaker.TryExecuteAsync<bool>(_ =>
            {
                dependencyCalls++;
                throw new DependencyDownException();
            });
            results.Add(outcome.IsRejected ? "flagged" : "error");
        }

        Assert.Equal(3, dependencyCalls);
        Assert.Equal(["error", "error", "error", "flagged", "flagged", "flagged", "flagged", "flagged", "flagged", "flagged"], results);
    }
}
