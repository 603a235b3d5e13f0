using Fusebox.Tests.Support;

namespace Fusebox.Tests.Regressions;

/// <summary>
/// The window of a closed state holds outcomes of that state only, and a reset never corrupts it: issue 12, items 2
/// and 5. Each test drives the interleaving the issue names, through the clock read that sits inside the step.
/// </summary>
public class WindowGenerationTests
{
    [Fact]
    public void A_late_outcome_recorded_while_the_breaker_moves_on_does_not_reach_the_new_closed_window()
    {
        // A time window reads the clock between the generation check and the record: the hook moves the breaker on
        // (an operator isolates and resets it) at exactly that point.
        var time = new HookedTimeProvider();
        var breaker = TestBreakers.Create(time, new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 2) });
        Assert.True(breaker.TryAcquire(out var late));
        time.OnNextTimestamp(() =>
        {
            breaker.Isolate();
            breaker.Reset();
        });

        late.RecordFailure();

        Assert.False(time.Armed);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(new WindowStatistics(0, 0, 0), breaker.Snapshot().Window);
        breaker.Fail();
        Assert.Equal(BreakerState.Closed, breaker.State); // one failure of the new generation: 1 call, below minimumCalls 2
    }

    [Fact]
    public void A_prober_that_loses_the_race_to_close_does_not_clear_the_new_closed_window()
    {
        // Two probes succeed at once; the first closes the breaker and closed calls start failing. The second
        // reads the clock (slow-call timing) before its own close attempt: the hook is where the first one wins.
        var time = new HookedTimeProvider();
        var breaker = TestBreakers.Create(time, new CircuitBreakerOptions
        {
            TripPolicy = TripPolicy.ConsecutiveFailures(3),
            HalfOpenPermits = 2,
            SuccessesToClose = 1,
            SlowCallThreshold = TimeSpan.FromSeconds(10),
        });
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var winner));
        Assert.True(breaker.TryAcquire(out var loser));
        time.OnNextTimestamp(() =>
        {
            winner.RecordSuccess();
            breaker.FailTimes(2);
        });

        loser.RecordSuccess();

        Assert.False(time.Armed);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.Equal(2, breaker.Snapshot().Window.Failures);
        breaker.Fail(); // the third consecutive failure of this closed state
        Assert.Equal(BreakerState.Open, breaker.State);
    }

    [Fact]
    public void Resets_under_traffic_never_corrupt_the_count_window_totals()
    {
        // Bounded stress in rounds: two threads record a fixed pattern while a third resets the breaker once, at a
        // varying moment. Then, with every thread parked, one full window of successes must leave exactly zero
        // failures. A reset that clears the ring and then zeroes the totals in place loses every record made in
        // between (its cell survives the clear, its total does not): the totals then disagree with the ring until
        // the next reset, so each round checks the reset it just made. A window of 4,096 cells makes the clear long
        // enough for records to land inside it.
        const int window = 4096, rounds = 6000, recordsPerRound = 300;
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(1.0, window, window) });
        using var barrier = new Barrier(3);
        var corrupted = new List<(int Round, WindowStatistics Window)>();
        int recorded = 0; // records made in this round, so the reset can be aimed into the middle of the traffic

        void Record(int offset)
        {
            for (int round = 0; round < rounds; round++)
            {
                barrier.SignalAndWait();
                for (int i = 0; i < recordsPerRound; i++)
                {
                    Assert.True(breaker.TryAcquire(out var permit));
                    if ((i + offset) % 4 == 0)
                    {
                        permit.RecordFailure();
                    }
                    else
                    {
                        permit.RecordSuccess();
                    }

                    Interlocked.Increment(ref recorded);
                }

                barrier.SignalAndWait();
                barrier.SignalAndWait(); // the checker fills the window
            }
        }

        var recorders = new[] { new Thread(() => Record(0)), new Thread(() => Record(1)) };
        foreach (var t in recorders)
        {
            t.Start();
        }

        var random = new Random(12);
        for (int round = 0; round < rounds; round++)
        {
            int target = random.Next(0, 2 * recordsPerRound);
            barrier.SignalAndWait();
            while (Volatile.Read(ref recorded) < target)
            {
                Thread.SpinWait(1);
            }

            breaker.Reset();
            barrier.SignalAndWait();
            for (int i = 0; i < window; i++)
            {
                breaker.Succeed();
            }

            Volatile.Write(ref recorded, 0);
            var w = breaker.Snapshot().Window;
            if (w != new WindowStatistics(window, 0, 0))
            {
                corrupted.Add((round, w));
                breaker.Reset();
            }

            barrier.SignalAndWait();
        }

        foreach (var t in recorders)
        {
            t.Join();
        }

        Assert.Equal(BreakerState.Closed, breaker.State); // 1 failure in 4 can never reach a rate of 1.0
        Assert.Empty(corrupted);
    }
}
