using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary>A permit takes exactly one outcome, whichever copy reports it; an unreported one is released by Dispose.</summary>
public class PermitContractTests
{
    [Fact]
    public void A_second_report_is_refused_and_counts_nothing()
    {
        var (breaker, _) = TestBreakers.Create();
        Assert.True(breaker.TryAcquire(out var permit));
        var copy = permit;

        permit.RecordFailure();

        var refused = Assert.Throws<InvalidOperationException>(() => copy.RecordSuccess());
        Assert.Contains("already reported", refused.Message);
        Assert.Throws<InvalidOperationException>(() => permit.Release());
        Assert.Throws<InvalidOperationException>(() => permit.RecordException(new DependencyDownException()));
        var s = breaker.Snapshot();
        Assert.Equal((0, 1, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Fact]
    public void Dispose_releases_an_unreported_probe_and_does_nothing_after_a_report()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 1 });
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Throws<DependencyDownException>(new Action(() =>
        {
            Assert.True(breaker.TryAcquire(out var probe));
            using (probe)
            {
                throw new DependencyDownException(); // an unexpected exception before the report
            }
        }));

        Assert.Equal(1, breaker.Snapshot().FreeProbeSlots); // the slot came back at once, not after ProbeTimeout
        Assert.True(breaker.TryAcquire(out var second));
        using (second)
        {
            second.RecordSuccess();
        }

        var s = breaker.Snapshot();
        Assert.Equal((BreakerState.Closed, 1, 1), (s.State, s.IgnoredCalls, s.SuccessfulCalls));
    }

    [Fact]
    public void Disposing_the_default_permit_or_twice_is_harmless()
    {
        var (breaker, _) = TestBreakers.Create();
        default(CircuitPermit).Dispose();
        Assert.True(breaker.TryAcquire(out var permit));

        permit.Dispose();
        permit.Dispose();

        Assert.Equal(1, breaker.Snapshot().IgnoredCalls);
        Assert.Throws<InvalidOperationException>(() => default(CircuitPermit).RecordSuccess());
    }

    [Fact]
    public void A_stale_copy_stays_refused_after_its_ticket_was_reused_by_later_permits()
    {
        // Tickets are recycled per thread: the later permits below reuse the first one's ticket. The stale copy
        // presents the old sequence number and must never match again.
        var (breaker, _) = TestBreakers.Create();
        Assert.True(breaker.TryAcquire(out var first));
        var stale = first;
        first.RecordSuccess();
        for (int i = 0; i < 100; i++)
        {
            Assert.True(breaker.TryAcquire(out var later));
            later.RecordSuccess();
        }

        Assert.Throws<InvalidOperationException>(() => stale.RecordFailure());
        Assert.Equal((101, 0), (breaker.Snapshot().SuccessfulCalls, breaker.Snapshot().FailedCalls));
    }

    [Fact]
    public async Task Copies_racing_to_report_count_exactly_once()
    {
        // Bounded: each round, two threads report copies of one permit at once; exactly one report must win.
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1_000_000) });
        int refused = 0;
        for (int round = 0; round < 2_000; round++)
        {
            Assert.True(breaker.TryAcquire(out var permit));
            using var start = new Barrier(2);
            var racers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                try
                {
                    permit.RecordFailure();
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref refused);
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            await Task.WhenAll(racers);
        }

        Assert.Equal(2_000, refused);
        Assert.Equal(2_000, breaker.Snapshot().FailedCalls);
    }
}
