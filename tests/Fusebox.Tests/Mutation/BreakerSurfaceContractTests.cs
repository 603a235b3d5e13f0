using Fusebox.Coordination;
using Fusebox.Tests.Support;

namespace Fusebox.Tests.Mutation;

/// <summary>
/// Contracts of the breaker's surface that behavioural tests did not pin and mutation testing found unguarded:
/// argument checks, the texts operators and logs see (messages, <c>ToString</c>), the outcome accessors of each kind,
/// the snapshot's derived figures, and the exact edges of the idle (eviction) check.
/// </summary>
public class BreakerSurfaceContractTests
{
    [Fact]
    public void Arguments_are_checked_naming_the_parameter()
    {
        Assert.Throws<ArgumentNullException>("name", () => new CircuitBreaker(null!, null));
        Assert.Throws<ArgumentException>("name", () => new CircuitBreaker(" ", null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CircuitBreaker("b", new CircuitBreakerOptions { HalfOpenPermits = 0 }));

        var (breaker, _) = TestBreakers.Create();
        Assert.Throws<ArgumentNullException>("options", () => breaker.Reconfigure(null!));
        Assert.Throws<ArgumentNullException>("external", () => breaker.ApplyExternal(null!));
        Assert.Throws<ArgumentNullException>("exception", () => CallOutcome<int>.FromException(null!));
    }

    [Fact]
    public void Outcomes_expose_only_what_their_kind_holds()
    {
        var value = CallOutcome<string>.FromValue("v");
        var thrown = CallOutcome<string>.FromException(new TimeoutException("slow"));
        var rejected = CallOutcome<string>.Rejected("svc", BreakerState.Open, TimeSpan.FromSeconds(3));

        Assert.Equal((true, false, false), (value.HasValue, value.IsFaulted, value.IsRejected));
        Assert.Equal((false, true, false), (thrown.HasValue, thrown.IsFaulted, thrown.IsRejected));
        Assert.Equal((false, false, true), (rejected.HasValue, rejected.IsFaulted, rejected.IsRejected));
        Assert.Null(value.BreakerName);
        Assert.Null(thrown.BreakerName);
        Assert.Null(value.Exception);
        Assert.Null(rejected.Exception);
        Assert.Equal("svc", rejected.BreakerName);

        Assert.Equal("The operation threw; there is no value.", Assert.Throws<InvalidOperationException>(() => thrown.Value).Message);
        Assert.Equal("The call was rejected by the circuit breaker; there is no value.", Assert.Throws<InvalidOperationException>(() => rejected.Value).Message);

        Assert.Equal("Value: v", value.ToString());
        Assert.Equal("Exception: TimeoutException: slow", thrown.ToString());
        Assert.Equal("Rejected by 'svc' (Open)", rejected.ToString());
    }

    [Fact]
    public void A_rejected_outcome_rethrows_as_CircuitOpenException_with_its_name_state_and_retry_after()
    {
        var rejected = CallOutcome<int>.Rejected("svc", BreakerState.Open, TimeSpan.FromSeconds(3));
        var nameless = CallOutcome<int>.Rejected(null!, BreakerState.Isolated, null);

        var ex = Assert.Throws<CircuitOpenException>(() => rejected.GetValueOrThrow());
        Assert.Equal(("svc", BreakerState.Open, TimeSpan.FromSeconds(3)), (ex.BreakerName, ex.State, ex.RetryAfter));
        Assert.Equal(string.Empty, Assert.Throws<CircuitOpenException>(() => nameless.GetValueOrThrow()).BreakerName);
    }

    [Fact]
    public void CircuitOpenException_messages_say_which_circuit_why_and_when_to_retry()
    {
        Assert.Equal("The circuit 'svc' is open; the call was rejected.", new CircuitOpenException("svc", BreakerState.Open, null).Message);
        Assert.Equal("The circuit 'svc' is open; the call was rejected. Retry after 2.5 s.",
            new CircuitOpenException("svc", BreakerState.Open, TimeSpan.FromSeconds(2.5)).Message);
        Assert.Equal("The circuit 'svc' is isolated by an operator; the call was rejected.", new CircuitOpenException("svc", BreakerState.Isolated, null).Message);
        Assert.Equal("The circuit 'svc' is half-open and all probe slots are taken; the call was rejected.",
            new CircuitOpenException("svc", BreakerState.HalfOpen, null).Message);

        Assert.Equal("The circuit is open; the call was rejected.", new CircuitOpenException().Message);
        Assert.Equal(string.Empty, new CircuitOpenException().BreakerName);
        Assert.Equal(string.Empty, new CircuitOpenException("custom").BreakerName);
        Assert.Equal(string.Empty, new CircuitOpenException("custom", new InvalidOperationException()).BreakerName);
    }

    [Fact]
    public void A_transition_describes_itself_with_and_without_a_description()
    {
        var (breaker, time) = TestBreakers.Create(name: "svc");
        var seen = new List<BreakerStateChangedEventArgs>();
        breaker.StateChanged += (_, e) => seen.Add(e);

        breaker.Isolate("INC-42");
        breaker.Reset();

        var at = time.GetUtcNow().ToString("O");
        Assert.Equal($"svc: Closed -> Isolated (ManualIsolate: INC-42) at {at}", seen[0].ToString());
        Assert.Equal($"svc: Isolated -> Closed (ManualReset) at {at}", seen[1].ToString());
    }

    [Fact]
    public void The_breaker_and_its_snapshot_describe_themselves()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(3) }, name: "svc");

        Assert.Equal("CircuitBreaker(svc, Closed)", breaker.ToString());
        Assert.Equal("ConsecutiveFailures(3)", breaker.Snapshot().TripPolicy);
        Assert.Equal(1, breaker.Snapshot().SuccessRate); // no calls yet: nothing has failed
    }

    [Fact]
    public void Every_kind_of_call_counts_once_in_the_totals()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(2) });

        breaker.Succeed();
        breaker.Fail();
        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordException(new OperationCanceledException(cancelled.Token), cancelled.Token); // ignored
        breaker.Fail(); // second in a row: opens
        Assert.False(breaker.TryAcquire(out _)); // rejected

        var s = breaker.Snapshot();
        Assert.Equal((1, 2, 1, 1), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls, s.RejectedCalls));
        Assert.Equal(5, s.TotalCalls);
        Assert.Equal(5, breaker.TotalCallsForIdleCheck);
        Assert.Equal(0.2, s.SuccessRate, 10);
    }

    [Fact]
    public void An_open_breaker_becomes_evictable_exactly_when_its_break_ends()
    {
        var (breaker, time) = TestBreakers.Create(new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(10), BreakDurationJitter = 0 });
        breaker.Trip();

        time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(breaker.IsEvictable());
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(breaker.IsEvictable());
    }

    [Fact]
    public void An_adopted_open_state_keeps_when_the_breaker_first_opened()
    {
        var (breaker, time) = TestBreakers.Create();
        var firstOpened = time.GetUtcNow();
        breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = TimeSpan.FromSeconds(30) });
        time.Advance(TimeSpan.FromSeconds(5));

        breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = TimeSpan.FromSeconds(30), ConsecutiveOpens = 1 });
        Assert.Equal(firstOpened, breaker.Snapshot().OpenedAt); // still open: the outage began at the first open

        breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed });
        time.Advance(TimeSpan.FromSeconds(5));
        breaker.ApplyExternal(new ExternalState { State = BreakerState.Open, OpenFor = TimeSpan.FromSeconds(30) });
        Assert.Equal(time.GetUtcNow(), breaker.Snapshot().OpenedAt); // a new outage
    }

    [Fact]
    public void Probes_are_granted_only_to_the_half_open_generation_asked_for_and_only_a_positive_count()
    {
        var (breaker, _) = TestBreakers.Create(new CircuitBreakerOptions { HalfOpenPermits = 3 });
        long generation = breaker.ApplyExternal(new ExternalState { State = BreakerState.HalfOpen, ProbePermits = 0 });

        Assert.Equal(0, breaker.GrantProbes(generation, 0));
        Assert.Equal(0, breaker.GrantProbes(generation + 1, 2));
        Assert.Equal(2, breaker.GrantProbes(generation, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => breaker.GrantProbes(generation, -1));

        breaker.ApplyExternal(new ExternalState { State = BreakerState.Closed });
        Assert.Equal(0, breaker.GrantProbes(generation, 1));
    }
}
