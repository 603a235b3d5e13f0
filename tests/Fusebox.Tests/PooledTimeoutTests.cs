using System.Runtime.CompilerServices;
using Fusebox.Internal;
using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary>
/// The hand-off between a pooled timeout's timer callback and its return, driven step by step on a clock whose timer
/// callbacks run only when the test says so.
/// </summary>
public class PooledTimeoutTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);

    private static (ManualTimeProvider Time, ManualTimer Timer, PooledTimeout Rental) RentedAtItsDeadline()
    {
        var time = new ManualTimeProvider();
        var rental = PooledTimeout.Rent(Limit, time, CancellationToken.None);
        var timer = time.Timers.Single();
        time.Advance(Limit);
        return (time, timer, rental);
    }

    private static void AssertUntouched(PooledTimeout rental, string? because = null)
    {
        Assert.False(rental.Token.IsCancellationRequested, because);
        Assert.False(rental.TimedOut);
        rental.Return();
    }

    private static void AssertCancelledAndNotReused(PooledTimeout rental, TimeProvider time, bool timedOut)
    {
        Assert.True(rental.Token.IsCancellationRequested);
        Assert.Equal(timedOut, rental.TimedOut);
        rental.Return();
        var next = PooledTimeout.Rent(Limit, time, CancellationToken.None);

        Assert.NotSame(rental, next); // a cancelled source cannot be reset
        AssertUntouched(next);
    }

    [Fact]
    public void A_callback_dispatched_before_Return_cannot_cancel_the_next_unrelated_rental()
    {
        var (time, timer, first) = RentedAtItsDeadline(); // due: the timer queue has handed the callback to the thread pool, which has not run it yet

        first.Return(); // the operation finished first
        var next = PooledTimeout.Rent(Limit, time, CancellationToken.None);
        timer.RunCallback(); // the callback of the first rental runs late

        AssertUntouched(next, "a late callback of an earlier rental cancelled a new rental");
    }

    [Fact]
    public void A_callback_running_between_Returns_steps_does_not_cancel_a_returned_rental()
    {
        var (time, timer, rental) = RentedAtItsDeadline();
        timer.OnChange = due =>
        {
            if (due == Timeout.InfiniteTimeSpan)
            {
                timer.RunCallback(); // after Return decided, before it disarmed the timer
            }
        };

        var token = rental.Token;
        rental.Return();

        Assert.False(token.IsCancellationRequested); // Return won: the call ended before the timeout
        Assert.False(rental.TimedOut);
        Assert.True(timer.Disposed); // its callback was in flight, so it is not pooled
    }

    [Fact]
    public void When_the_callback_wins_the_rental_times_out_and_is_not_reused()
    {
        var (time, timer, rental) = RentedAtItsDeadline();

        timer.RunCallback();

        AssertCancelledAndNotReused(rental, time, timedOut: true);
    }

    [Fact]
    public void A_rental_returned_well_before_its_deadline_is_reused_fresh()
    {
        var time = new ManualTimeProvider();
        var first = PooledTimeout.Rent(Limit, time, CancellationToken.None);
        time.Advance(Limit - PooledTimeout.DispatchSlack - TimeSpan.FromTicks(1));
        first.Return();

        var second = PooledTimeout.Rent(TimeSpan.FromSeconds(5), time, CancellationToken.None);

        Assert.Same(first, second); // pooled: allocation-free in the steady state
        Assert.Single(time.Timers);
        Assert.Equal(TimeSpan.FromSeconds(5), time.Timers[0].DueTime);
        Assert.False(second.Token.IsCancellationRequested);
        Assert.False(second.TimedOut);
        time.Timers[0].RunCallback();
        Assert.True(second.TimedOut);
        second.Return();
    }

    [Fact]
    public void A_rental_returned_within_the_slack_of_its_deadline_is_not_reused()
    {
        var time = new ManualTimeProvider();
        var first = PooledTimeout.Rent(Limit, time, CancellationToken.None);
        time.Advance(Limit - PooledTimeout.DispatchSlack);
        first.Return();

        var second = PooledTimeout.Rent(Limit, time, CancellationToken.None);

        Assert.NotSame(first, second);
        Assert.True(time.Timers[0].Disposed);
        second.Return();
    }

    [Fact]
    public void The_callers_cancellation_is_not_a_timeout_and_the_source_is_not_reused()
    {
        var time = new ManualTimeProvider();
        using var caller = new CancellationTokenSource();
        var rental = PooledTimeout.Rent(Limit, time, caller.Token);

        caller.Cancel();

        AssertCancelledAndNotReused(rental, time, timedOut: false);
    }

    [Fact]
    public void The_pool_does_not_keep_a_dead_time_provider_alive()
    {
        var provider = UseAndDrop();
        for (int i = 0; i < 3 && provider.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(provider.IsAlive, "the timeout pool keeps a provider reachable after its last user dropped it");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference UseAndDrop()
    {
        var time = new ManualTimeProvider();
        PooledTimeout.Rent(Limit, time, CancellationToken.None).Return(); // returned at once: pooled
        return new WeakReference(time);
    }
}
