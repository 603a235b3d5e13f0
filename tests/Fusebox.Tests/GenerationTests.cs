using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class GenerationTests
{
    [Fact]
    public void Every_transition_increments_the_generation()
    {
        var (breaker, time) = TestBreakers.Create();
        Assert.Equal(0, breaker.Snapshot().Generation);

        breaker.Trip();
        Assert.Equal(1, breaker.Snapshot().Generation);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var probe));
        Assert.Equal(2, probe.Generation);
        probe.RecordSuccess();
        breaker.Succeed();
        breaker.Succeed();
        Assert.Equal(3, breaker.Snapshot().Generation);
    }

    [Fact]
    public void A_slow_call_from_before_the_outage_cannot_reopen_a_recovered_breaker()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1), HalfOpenPermits = 1 });
        Assert.True(breaker.TryAcquire(out var slowCall)); // started while closed, generation 0

        breaker.Fail();                                     // opens (gen 1)
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Succeed();                                  // half-open probe (gen 2) closes (gen 3)
        Assert.Equal(BreakerState.Closed, breaker.State);

        slowCall.RecordFailure();                           // the old call finally fails

        Assert.Equal(BreakerState.Closed, breaker.State);
        var s = breaker.Snapshot();
        Assert.Equal(1, s.IgnoredCalls);
        Assert.Equal(0, s.Window.Failures);
    }

    [Fact]
    public void A_late_success_from_an_older_generation_does_not_count_toward_closing()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1), HalfOpenPermits = 2 });
        Assert.True(breaker.TryAcquire(out var old));
        breaker.Fail();
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Succeed();

        old.RecordSuccess();

        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        Assert.Equal(1, breaker.Snapshot().IgnoredCalls);
    }

    [Fact]
    public void Outcomes_after_a_manual_reset_of_an_open_breaker_are_ignored()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(2) });
        Assert.True(breaker.TryAcquire(out var inFlight));
        breaker.FailTimes(2);
        breaker.Reset("ops");

        inFlight.RecordFailure();
        breaker.Fail();

        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void The_default_permit_cannot_record()
    {
        var permit = default(CircuitPermit);

        var ex = Assert.Throws<InvalidOperationException>(permit.RecordSuccess);
        Assert.Contains("default value", ex.Message, StringComparison.Ordinal);
    }
}
