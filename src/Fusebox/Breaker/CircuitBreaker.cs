using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// A circuit breaker: counts outcomes while closed, opens when its <see cref="TripPolicy"/> says so, rejects calls
/// at once while open, admits a fixed number of probes when the break is over and closes when they succeed.
/// </summary>
/// <remarks>
/// The whole state is one immutable <c>StateRecord</c> swapped with compare-and-swap: reading it is one volatile
/// read, every transition has exactly one winner, and no lock is ever taken on the call path. The record also holds
/// the settings in force and the window that measures the state, so a decision never mixes two configurations and an
/// outcome never lands in another generation's window. Each state has a generation number; permits carry it, so a
/// late outcome from an earlier state is counted as ignored and never changes the current one. Open becomes
/// half-open lazily, on the first call after the break: no timers, no threads.
/// This file holds construction, configuration and reading; admission, completion and transitions have a file each,
/// and the call styles live in <c>CircuitBreaker.Execute.cs</c>.
/// </remarks>
public sealed partial class CircuitBreaker
{
    private readonly BreakerClock _clock;
    private readonly FuseboxMetrics _metrics;
    private readonly CallCounters _counters = new();
    private readonly Lock _reconfigureGate = new(); // serialises writers of settings; never taken by a call
    private StateRecord _state;
    private long _stateChanges;
    private BreakerStatistics? _statistics; // null unless CollectStatistics: nothing allocated, nothing counted
    private TransitionRing? _transitions; // created by the first transition

    /// <summary>Creates a breaker with the seed's defaults.</summary>
    /// <param name="name">A name that identifies the protected dependency in reports and metrics.</param>
    public CircuitBreaker(string name)
        : this(name, null, null, null)
    {
    }

    /// <summary>Creates a breaker.</summary>
    /// <param name="name">A name that identifies the protected dependency in reports and metrics; not empty.</param>
    /// <param name="options">The options (copied and validated now); null for the defaults.</param>
    /// <param name="timeProvider">The clock; overrides <see cref="CircuitBreakerOptions.TimeProvider"/>. Default: the system clock.</param>
    /// <param name="metrics">Where to report metrics; default <see cref="FuseboxMetrics.Shared"/>.</param>
    /// <exception cref="ArgumentException">The name is null or empty, or an option is out of range.</exception>
    public CircuitBreaker(string name, CircuitBreakerOptions? options, TimeProvider? timeProvider = null, FuseboxMetrics? metrics = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var validated = options?.Clone() ?? new CircuitBreakerOptions();
        validated.Validate();
        Name = name;
        _clock = new BreakerClock(timeProvider ?? validated.TimeProvider ?? TimeProvider.System);
        validated.TimeProvider = _clock.Provider;
        var settings = new BreakerSettings(validated, null, _clock.Now());
        _metrics = metrics ?? FuseboxMetrics.Shared;
        _state = new StateRecord(BreakerState.Closed, 0, TransitionReason.Created, null, _clock.UtcNow(), settings, settings.NewMeter());
        _statistics = validated.CollectStatistics ? new BreakerStatistics(_clock) : null;
        _metrics.Track(this);
    }

    /// <summary>Raised after every state change, outside any lock. A throwing subscriber cannot break the breaker
    /// (its exception is caught) and does not stop other subscribers. Concurrent changes may be delivered out of
    /// order; <see cref="BreakerStateChangedEventArgs.Generation"/> orders them.</summary>
    public event EventHandler<BreakerStateChangedEventArgs>? StateChanged;

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary>
    /// The current state, as the next call would find it: an open breaker whose break has elapsed reads
    /// <see cref="BreakerState.HalfOpen"/> (the next call is admitted as a probe), although the transition itself is
    /// made, and <see cref="StateChanged"/> raised, only by that call. Reading it spends no probe.
    /// </summary>
    public BreakerState State => EffectiveState(Volatile.Read(ref _state), _clock.Now());

    /// <summary>A copy of the options this breaker runs with.</summary>
    public CircuitBreakerOptions Options => Volatile.Read(ref _state).Settings.Options.Clone();

    /// <summary>The clock this breaker reads.</summary>
    public TimeProvider TimeProvider => _clock.Provider;

    /// <summary>The metrics this breaker reports to (resilient callers wrapping it report there too).</summary>
    internal FuseboxMetrics Metrics => _metrics;

    /// <summary>For tests: the source of jitter, a number in [0, 1).</summary>
    internal Func<double> JitterSource { get; set; } = s_sharedJitter;

    // One delegate for every breaker rather than one each (64 B per breaker, measured in the memory benchmark).
    private static readonly Func<double> s_sharedJitter = Random.Shared.NextDouble;

    internal long TotalCallsForIdleCheck =>
        _counters.Read(CallCounter.Success) + _counters.Read(CallCounter.Failure) + _counters.Read(CallCounter.Rejected) + _counters.Read(CallCounter.Ignored);

    /// <summary>Asks to make one call. Never blocks, never throws for a rejection.</summary>
    /// <param name="permit">When true: the permit to report the call's outcome on.</param>
    /// <returns>False when the breaker rejects the call (it is counted as rejected).</returns>
    public bool TryAcquire(out CircuitPermit permit) => TryAcquire(out permit, out _);

    /// <summary>Asks to make one call. Never blocks, never throws for a rejection.</summary>
    /// <param name="permit">When true: the permit to report the call's outcome on.</param>
    /// <param name="retryAfter">When false: how long until a probe may be admitted, if known.</param>
    /// <returns>False when the breaker rejects the call (it is counted as rejected).</returns>
    public bool TryAcquire(out CircuitPermit permit, out TimeSpan? retryAfter)
    {
        if (!TryAcquireCore(out var untracked, out retryAfter, out _))
        {
            permit = default;
            return false;
        }

        permit = untracked.Tracked(); // reported exactly once: a ticket that the first report closes
        return true;
    }

    /// <summary>
    /// Adopts new options without losing the current state: the breaker stays in its state and generation, and the
    /// new options apply, all together, from the next decision. A running break keeps its end and a running half-open
    /// round keeps its permits and successes to close; the next ones use the new values. The trip policy's window is
    /// kept when the policy is unchanged and starts empty when it changed. Calls admitted before a slow-call threshold
    /// was set were not timed and never count as slow (unless they were timed for statistics or the duration
    /// histogram). Turning <see cref="CircuitBreakerOptions.CollectStatistics"/> off drops the statistics; turning it
    /// on starts them empty (the last failure included); leaving it on keeps them. The <see cref="TimeProvider"/> cannot change.
    /// Concurrent calls to <see cref="Reconfigure"/> apply one after the other.
    /// </summary>
    /// <param name="options">The new options (copied and validated now).</param>
    /// <exception cref="ArgumentException">An option is out of range; the breaker keeps its current options.</exception>
    public void Reconfigure(CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var next = options.Clone();
        next.TimeProvider = _clock.Provider;
        next.Validate();
        lock (_reconfigureGate)
        {
            // Built under the gate from the settings in force, whose throttling window it may take over.
            var settings = new BreakerSettings(next, Volatile.Read(ref _state).Settings, _clock.Now());
            // The swap keeps state and generation, so it races only with transitions: one that wins first is seen on
            // the retry (and given the new settings); one that comes after builds on the swapped record.
            while (true)
            {
                var s = Volatile.Read(ref _state);
                var meter = Equals(next.TripPolicy, s.Settings.Options.TripPolicy) ? s.Meter : settings.NewMeter();
                if (SwapIn(s, s.WithSettings(settings, meter)))
                {
                    // A plain write: calls read the field once each and count into whichever object they saw (a call
                    // racing the switch may be counted in statistics that are being dropped, or miss ones being started).
                    _statistics = next.CollectStatistics ? _statistics ?? new BreakerStatistics(_clock) : null;
                    return;
                }
            }
        }
    }

    /// <summary>Reads the breaker's state and counts. Allocates the snapshot; not meant for every call.</summary>
    /// <remarks>Like <see cref="State"/>, an open breaker whose break has elapsed reads half-open, with no
    /// <see cref="CircuitSnapshot.RetryAfter"/> and all of <see cref="CircuitBreakerOptions.HalfOpenPermits"/> free.</remarks>
    public CircuitSnapshot Snapshot()
    {
        var s = Volatile.Read(ref _state);
        long now = _clock.Now();
        var state = EffectiveState(s, now);
        bool breakElapsed = state != s.State;
        return new CircuitSnapshot
        {
            Name = Name,
            State = state,
            Generation = s.Generation,
            SuccessfulCalls = _counters.Read(CallCounter.Success),
            FailedCalls = _counters.Read(CallCounter.Failure),
            RejectedCalls = _counters.Read(CallCounter.Rejected),
            IgnoredCalls = _counters.Read(CallCounter.Ignored),
            SlowCalls = _counters.Read(CallCounter.Slow),
            StateChanges = Interlocked.Read(ref _stateChanges),
            Window = s.Meter.Read(now),
            OpenedAt = s.OpenedAt,
            RetryAfter = state == BreakerState.Open ? TimeSpan.FromTicks(s.OpenUntil - now) : null,
            FreeProbeSlots = breakElapsed ? s.Settings.Options.HalfOpenPermits : s.Probes?.Available(now),
            Probes = ReadProbeRound(s, state, breakElapsed, now),
            LastChangedAt = s.ChangedAt,
            LastReason = s.Reason,
            LastReasonDescription = s.Description,
            ConsecutiveOpens = s.ConsecutiveOpens,
            TripPolicy = s.Settings.Options.TripPolicy.ToString() ?? s.Settings.Options.TripPolicy.GetType().Name,
            Coordination = Volatile.Read(ref _coordination)?.Invoke(),
            Statistics = Volatile.Read(ref _statistics)?.Read(),
            RecentTransitions = Volatile.Read(ref _transitions)?.Read() ?? [],
            ShadowMode = s.Settings.Shadow,
            ShadowRejectedCalls = _counters.Read(CallCounter.ShadowRejected),
            ThrottledCalls = _counters.Read(CallCounter.Throttled),
            ThrottleProbability = s.Settings.Throttle?.Probability(now),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => $"CircuitBreaker({Name}, {State})";

    /// <summary>The half-open round's progress; with the break over but no call since, the round the next call will start.</summary>
    private static ProbeRound? ReadProbeRound(StateRecord s, BreakerState state, bool breakElapsed, long now)
    {
        if (state != BreakerState.HalfOpen)
        {
            return null;
        }

        if (breakElapsed || s.Probes is null)
        {
            var o = s.Settings.Options;
            return new ProbeRound { Permits = o.HalfOpenPermits, InFlight = 0, Free = o.HalfOpenPermits, Succeeded = 0, SuccessesToClose = o.SuccessesToClose ?? o.HalfOpenPermits };
        }

        var probes = s.Probes;
        return new ProbeRound
        {
            Permits = probes.Capacity,
            InFlight = probes.InFlight(now),
            Free = probes.Available(now),
            NotGranted = probes.UngrantedCount(),
            Succeeded = probes.Successes,
            SuccessesToClose = probes.SuccessesToClose == int.MaxValue ? null : probes.SuccessesToClose, // see ApplyExternal
        };
    }

    /// <summary>Open with the break over reads half-open: what the next call will make of it.</summary>
    private static BreakerState EffectiveState(StateRecord s, long now) =>
        s.State == BreakerState.Open && now >= s.OpenUntil ? BreakerState.HalfOpen : s.State;
}
