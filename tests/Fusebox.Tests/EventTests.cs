using Fusebox.Tests.Support;

namespace Fusebox.Tests;

public class EventTests
{
    [Fact]
    public void StateChanged_reports_old_new_reason_and_time_in_order()
    {
        var (breaker, time) = TestBreakers.Create(name: "fraud-service");
        var events = new List<BreakerStateChangedEventArgs>();
        breaker.StateChanged += (sender, e) =>
        {
            Assert.Same(breaker, sender);
            Assert.Equal(e.NewState, breaker.State); // raised after the change
            events.Add(e);
        };

        var openedAt = time.GetUtcNow();
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Succeed();
        breaker.Succeed();
        breaker.Succeed();

        Assert.Collection(events,
            e => Assert.Equal((BreakerState.Closed, BreakerState.Open, TransitionReason.ConsecutiveFailures, openedAt, 1L), (e.OldState, e.NewState, e.Reason, e.Timestamp, e.Generation)),
            e => Assert.Equal((BreakerState.Open, BreakerState.HalfOpen, TransitionReason.BreakElapsed), (e.OldState, e.NewState, e.Reason)),
            e => Assert.Equal((BreakerState.HalfOpen, BreakerState.Closed, TransitionReason.ProbesSucceeded), (e.OldState, e.NewState, e.Reason)));
        Assert.All(events, e => Assert.Equal("fraud-service", e.BreakerName));
        Assert.Contains("fraud-service: Closed -> Open", events[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_throwing_subscriber_breaks_neither_the_breaker_nor_other_subscribers()
    {
        var (breaker, _) = TestBreakers.Create();
        int seen = 0;
        breaker.StateChanged += (_, _) => throw new InvalidOperationException("buggy observer");
        breaker.StateChanged += (_, _) => seen++;

        breaker.Trip();
        breaker.Reset();

        Assert.Equal(2, seen);
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    [Fact]
    public void Manual_actions_raise_events_with_their_reason()
    {
        var (breaker, _) = TestBreakers.Create();
        var reasons = new List<(TransitionReason, string?)>();
        breaker.StateChanged += (_, e) => reasons.Add((e.Reason, e.Description));

        breaker.Disable("by bob");
        breaker.Isolate("by alice");
        breaker.Reset("by carol");

        Assert.Equal([(TransitionReason.ManualDisable, "by bob"), (TransitionReason.ManualIsolate, "by alice"), (TransitionReason.ManualReset, "by carol")], reasons);
    }
}
