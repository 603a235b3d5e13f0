using System.Diagnostics;
using Fusebox.Tests.Support;
using static Fusebox.FuseboxTracing;

namespace Fusebox.Tests.Tracing;

/// <summary>
/// What tracing costs when it is off: no listener on the <c>Fusebox</c> source records nothing and allocates nothing,
/// even under a current activity; a listener with no recording activity to add to allocates nothing either; and a
/// successful closed call does no tracing work at all, listener or not.
/// </summary>
[Collection(nameof(TracingCollection))]
public class TracingOffTests
{
    [Fact]
    public async Task Without_a_listener_nothing_is_added_to_the_current_activity()
    {
        Assert.False(TraceEvents.Source.HasListeners());
        using var call = new Activity("app-call").Start(); // another library's span, recorded by its own listener
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(5) });

        breaker.Trip();
        Assert.True(breaker.TryExecute(static _ => 1).IsRejected);
        var caller = new ResilientCaller(breaker);
        await caller.ExecuteAsync(static _ => new ValueTask<int>(1), Fallback<int>.Value(-1));
        time.Advance(TimeSpan.FromSeconds(5));
        breaker.Succeed();

        Assert.Empty(call.Events);
    }

    [Fact]
    public void A_sampled_out_activity_gets_no_events()
    {
        using var listener = new TracingListener(ActivitySamplingResult.PropagationData);
        using var call = TracingListener.StartCall()!;
        Assert.False(call.IsAllDataRequested);
        var (breaker, _) = TestBreakers.Create();

        breaker.Trip();
        Assert.True(breaker.TryExecute(static _ => 1).IsRejected);

        Assert.Empty(call.Events);
    }

    [ZeroAllocationFact]
    public void Rejections_allocate_nothing_without_a_listener_even_under_a_current_activity()
    {
        Assert.False(TraceEvents.Source.HasListeners());
        using var call = new Activity("app-call").Start();
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        breaker.Isolate();

        Assert.Equal(0, AllocationTests.AllocatedBy(() => breaker.TryExecuteAsync(static ct => new ValueTask<int>(1)).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocationTests.AllocatedBy(() => breaker.TryExecute(static ct => 1)));
        Assert.Empty(call.Events);
    }

    [ZeroAllocationFact]
    public void Rejections_allocate_nothing_with_a_listener_but_no_current_activity()
    {
        using var listener = new TracingListener();
        Assert.Null(Activity.Current);
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        breaker.Isolate();

        Assert.Equal(0, AllocationTests.AllocatedBy(() => breaker.TryExecute(static ct => 1)));
    }

    [ZeroAllocationFact]
    public void A_closed_call_does_no_tracing_work_even_with_a_listener_and_a_recording_activity()
    {
        using var listener = new TracingListener();
        using var call = TracingListener.StartCall()!;
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        var caller = new ResilientCaller(breaker);

        Assert.Equal(0, AllocationTests.AllocatedBy(() => breaker.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), 1).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocationTests.AllocatedBy(() => breaker.TryExecute(static ct => 1)));
        Assert.Equal(0, AllocationTests.AllocatedBy(() => caller.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), 1).GetAwaiter().GetResult()));
        Assert.Empty(call.Events);
    }

    [Fact]
    public void The_recording_path_is_reached_only_through_the_listener_check()
    {
        // With a listener and a recording activity the same rejection does allocate (the event and its tags): so the
        // zero above is the check at work, not an event that failed to be recorded.
        using var listener = new TracingListener();
        using var call = TracingListener.StartCall()!;
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        breaker.Isolate();

        Assert.True(AllocationTests.AllocatedBy(() => breaker.TryExecute(static ct => 1), iterations: 10) > 0);
        Assert.Equal(12, call.Events.Count(e => e.Name == RejectedEventName)); // two warm-up calls and ten measured
    }
}
