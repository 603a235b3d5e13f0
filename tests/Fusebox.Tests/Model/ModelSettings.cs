namespace Fusebox.Tests.Model;

/// <summary>The trip policies the model knows how to judge.</summary>
internal enum ModelPolicy { Consecutive, CountWindow, TimeWindow }

/// <summary>
/// One option set, written once for both sides: <see cref="ToOptions"/> builds the real breaker's options and the
/// <see cref="ReferenceBreaker"/> reads the same fields. <see cref="FailureRate"/> null means the policy trips on the
/// slow-call rate alone.
/// </summary>
internal sealed record ModelSettings(
    string Name, ModelPolicy Policy, int Threshold, double? FailureRate, double? SlowRate, int Window, int MinCalls, TimeSpan TimeWindow,
    int Buckets, TimeSpan Break, double Backoff, TimeSpan? MaxBreak, double Jitter, int Permits, int? SuccessesToClose,
    TimeSpan ProbeTimeout, TimeSpan? SlowThreshold)
{
    /// <summary>The predicates are shared by every option set (see <see cref="ModelBasedTests"/> for why).</summary>
    public static readonly Func<Exception, bool> HandleException = static ex => ex is not FilteredException;

    /// <summary>A negative result is the dependency's way of saying it failed.</summary>
    public static readonly ResultPredicate HandleResult = ResultPredicate.Handle<int>(static v => v < 0);

    /// <summary>
    /// The option sets Reconfigure moves between. Pairs share a trip policy (consecutive-a/b, count-a/b) so that a
    /// reconfiguration keeps the window; the others change it. They differ in everything else a running state could
    /// mix up: permits, successes to close, probe timeout, break, backoff, jitter and the slow-call threshold.
    /// </summary>
    public static readonly ModelSettings[] All =
    [
        new("consecutive-a", ModelPolicy.Consecutive, 3, null, null, 0, 0, default, 0,
            Break: S(30), Backoff: 2, MaxBreak: S(120), Jitter: 0, Permits: 2, SuccessesToClose: 2, ProbeTimeout: S(20), SlowThreshold: null),
        new("consecutive-b", ModelPolicy.Consecutive, 3, null, null, 0, 0, default, 0,
            Break: S(10), Backoff: 1, MaxBreak: null, Jitter: 0.3, Permits: 3, SuccessesToClose: 1, ProbeTimeout: S(5), SlowThreshold: S(2)),
        new("count-a", ModelPolicy.CountWindow, 0, 0.5, 0.5, Window: 6, MinCalls: 3, default, 0,
            Break: S(20), Backoff: 1.5, MaxBreak: S(60), Jitter: 0.2, Permits: 1, SuccessesToClose: null, ProbeTimeout: S(8), SlowThreshold: S(2)),
        new("count-b", ModelPolicy.CountWindow, 0, 0.5, 0.5, Window: 6, MinCalls: 3, default, 0,
            Break: S(15), Backoff: 1, MaxBreak: null, Jitter: 0, Permits: 3, SuccessesToClose: 2, ProbeTimeout: S(30), SlowThreshold: S(4)),
        new("time-a", ModelPolicy.TimeWindow, 0, 0.5, null, 0, MinCalls: 3, TimeWindow: S(10), Buckets: 5,
            Break: S(30), Backoff: 2, MaxBreak: S(120), Jitter: 0, Permits: 2, SuccessesToClose: 2, ProbeTimeout: S(20), SlowThreshold: null),
        new("time-b", ModelPolicy.TimeWindow, 0, 0.6, 0.5, 0, MinCalls: 2, TimeWindow: S(10), Buckets: 5,
            Break: S(12), Backoff: 1, MaxBreak: null, Jitter: 0.25, Permits: 2, SuccessesToClose: 1, ProbeTimeout: S(6), SlowThreshold: S(3)),
        new("slow-count", ModelPolicy.CountWindow, 0, null, 0.6, Window: 5, MinCalls: 2, default, 0,
            Break: S(25), Backoff: 1, MaxBreak: null, Jitter: 0, Permits: 2, SuccessesToClose: 2, ProbeTimeout: S(10), SlowThreshold: S(1)),
    ];

    public static TheoryData<string> Names => new(All.Select(s => s.Name));

    public static ModelSettings Named(string name) => All.Single(s => s.Name == name);

    /// <summary>Successes that close a round started under these settings.</summary>
    public int RoundSuccessesToClose => SuccessesToClose ?? Permits;

    /// <summary>Whether a reconfiguration from <paramref name="other"/> keeps the window (the documented rule: equal policies).</summary>
    public bool SamePolicyAs(ModelSettings other) =>
        Policy == other.Policy && Threshold == other.Threshold && FailureRate == other.FailureRate && SlowRate == other.SlowRate
        && Window == other.Window && MinCalls == other.MinCalls && TimeWindow == other.TimeWindow && Buckets == other.Buckets;

    public CircuitBreakerOptions ToOptions() => new()
    {
        TripPolicy = Policy switch
        {
            ModelPolicy.Consecutive => TripPolicy.ConsecutiveFailures(Threshold),
            ModelPolicy.CountWindow when FailureRate is { } f => TripPolicy.FailureRate(f, Window, MinCalls, SlowRate),
            ModelPolicy.CountWindow => TripPolicy.SlowCallRate(SlowRate!.Value, Window, MinCalls),
            _ => TripPolicy.FailureRate(FailureRate!.Value, TimeWindow, MinCalls, SlowRate, Buckets),
        },
        BreakDuration = Break,
        BreakDurationBackoff = Backoff,
        MaxBreakDuration = MaxBreak,
        BreakDurationJitter = Jitter,
        HalfOpenPermits = Permits,
        SuccessesToClose = SuccessesToClose,
        ProbeTimeout = ProbeTimeout,
        SlowCallThreshold = SlowThreshold,
        ShouldHandleException = HandleException,
        ShouldHandleResult = HandleResult,
    };

    public override string ToString() => Name;

    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);
}

/// <summary>An exception <see cref="ModelSettings.HandleException"/> does not handle: the dependency answered, a success.</summary>
internal sealed class FilteredException() : Exception("not a failure");
