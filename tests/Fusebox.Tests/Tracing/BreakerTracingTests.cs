using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Fusebox.FuseboxTracing;

namespace Fusebox.Tests.Tracing;

/// <summary>The breaker's span events on the caller's current activity, read through a real <see cref="System.Diagnostics.ActivityListener"/>.</summary>
[Collection(nameof(TracingCollection))]
public class BreakerTracingTests
{
    public enum Style
    {
        TryExecute,
        ExecuteAsync,
        TryAcquire,
    }

    [Theory]
    [InlineData(Style.TryExecute)]
    [InlineData(Style.ExecuteAsync)]
    [InlineData(Style.TryAcquire)]
    public async Task An_open_rejection_is_an_event_on_the_current_activity_with_the_time_left(Style style)
    {
        using var listener = new TracingListener();
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time, new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(30) }, "fraud");
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(10));
        using var call = TracingListener.StartCall()!;

        await RejectedCallAsync(breaker, style);

        var rejected = call.Single(RejectedEventName);
        Assert.Equal("fraud", rejected.Tag(BreakerNameTag));
        Assert.Equal("open", rejected.Tag(BreakerStateTag));
        Assert.Equal("open", rejected.Tag(RejectionReasonTag));
        Assert.Equal(20.0, rejected.Tag(RetryAfterTag));
        Assert.Equal(time.GetUtcNow(), rejected.Timestamp); // the breaker's clock (the fake starts in 2000), not the system's
    }

    [Fact]
    public void Isolated_and_full_half_open_rejections_say_why_and_carry_no_time_left()
    {
        using var listener = new TracingListener();
        var time = new FakeTimeProvider();
        var isolated = TestBreakers.Create(time, name: "isolated");
        isolated.Isolate("INC-1");
        var halfOpen = TestBreakers.Create(time, new CircuitBreakerOptions { HalfOpenPermits = 1, BreakDuration = TimeSpan.FromSeconds(5) }, "probing");
        halfOpen.Trip();
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(halfOpen.TryAcquire(out var probe)); // the only probe slot, held while the next call arrives
        using var call = TracingListener.StartCall()!;

        Assert.True(isolated.TryExecute(static _ => 1).IsRejected);
        Assert.True(halfOpen.TryExecute(static _ => 1).IsRejected);
        probe.RecordSuccess();

        var events = call.Events.Where(e => e.Name == RejectedEventName).ToArray();
        Assert.Equal(2, events.Length);
        Assert.Equal(("isolated", "isolated", "isolated"), ((string?)events[0].Tag(BreakerNameTag), events[0].Tag(BreakerStateTag), events[0].Tag(RejectionReasonTag)));
        Assert.Equal(("probing", "half_open", "probes_taken"), ((string?)events[1].Tag(BreakerNameTag), events[1].Tag(BreakerStateTag), events[1].Tag(RejectionReasonTag)));
        Assert.All(events, e => Assert.False(e.HasTag(RetryAfterTag)));
    }

    [Fact]
    public void A_trip_is_a_state_change_event_on_the_call_that_tripped_it_stamped_as_StateChanged_reports_it()
    {
        using var listener = new TracingListener();
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time, name: "fraud");
        BreakerStateChangedEventArgs? reported = null;
        breaker.StateChanged += (_, e) => reported = e;
        breaker.FailTimes(4);
        time.Advance(TimeSpan.FromSeconds(3));
        using var call = TracingListener.StartCall()!;

        breaker.Fail(); // the fifth consecutive failure

        var change = call.Single(StateChangeEventName);
        Assert.NotNull(reported);
        Assert.Equal("fraud", change.Tag(BreakerNameTag));
        Assert.Equal("closed", change.Tag(PreviousStateTag));
        Assert.Equal("open", change.Tag(BreakerStateTag));
        Assert.Equal("consecutive_failures", change.Tag(TransitionReasonTag));
        Assert.Equal("5 consecutive failures", change.Tag(TransitionDescriptionTag));
        Assert.Equal(reported.Generation, change.Tag(GenerationTag));
        Assert.Equal(reported.Timestamp, change.Timestamp);
        Assert.Equal(time.GetUtcNow(), change.Timestamp);
    }

    [Fact]
    public void A_recovery_and_an_operators_commands_are_state_change_events_in_order()
    {
        using var listener = new TracingListener();
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time, new CircuitBreakerOptions { HalfOpenPermits = 1, BreakDuration = TimeSpan.FromSeconds(5) }, "fraud");
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(5));
        using var call = TracingListener.StartCall()!;

        breaker.Succeed(); // the probe: half-opens, then closes
        breaker.Isolate("INC-42");
        breaker.Reset();

        var changes = call.Events.Where(e => e.Name == StateChangeEventName)
            .Select(e => ((string?)e.Tag(PreviousStateTag), (string?)e.Tag(BreakerStateTag), (string?)e.Tag(TransitionReasonTag)))
            .ToArray();
        Assert.Equal(
            [("open", "half_open", "break_elapsed"), ("half_open", "closed", "probes_succeeded"), ("closed", "isolated", "manual_isolate"), ("isolated", "closed", "manual_reset")],
            changes);
        Assert.Equal("INC-42", call.Events.Single(e => (string?)e.Tag(TransitionReasonTag) == "manual_isolate").Tag(TransitionDescriptionTag));
        Assert.False(call.Events.Single(e => (string?)e.Tag(TransitionReasonTag) == "manual_reset").HasTag(TransitionDescriptionTag));
    }

    [Fact]
    public void The_source_is_named_Fusebox_with_the_assembly_version()
    {
        Assert.Equal("Fusebox", TraceEvents.Source.Name);
        Assert.Equal(typeof(CircuitBreaker).Assembly.GetName().Version!.ToString(), TraceEvents.Source.Version);
    }

    [Fact]
    public void Every_transition_reason_has_a_snake_case_name()
    {
        foreach (var reason in Enum.GetValues<TransitionReason>())
        {
            var name = TraceEvents.ReasonName(reason);
            Assert.NotEqual("unknown", name);
            Assert.Equal(System.Text.RegularExpressions.Regex.Replace(reason.ToString(), "(?<!^)([A-Z])", "_$1").ToLowerInvariant(), name);
        }
    }

    private static async Task RejectedCallAsync(CircuitBreaker breaker, Style style)
    {
        switch (style)
        {
            case Style.TryExecute:
                Assert.True(breaker.TryExecute(static _ => 1).IsRejected);
                break;
            case Style.ExecuteAsync:
                await Assert.ThrowsAsync<CircuitOpenException>(() => breaker.ExecuteAsync(static _ => new ValueTask<int>(1)).AsTask());
                break;
            default:
                Assert.False(breaker.TryAcquire(out _));
                break;
        }
    }
}
