using System.Globalization;
using System.Runtime.CompilerServices;
using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// A circuit breaker: counts outcomes while closed, opens when its <see cref="TripPolicy"/> says so, rejects calls
/// at once while open, admits a fixed number of probes when the break is over and closes when they succeed.
/// </summary>
/// <remarks>
/// The whole state is one immutable <c>StateRecord</c> swapped with compare-and-swap: reading it is one volatile
/// read, every transition has exactly one winner, and no lock is ever taken by the breaker itself. Each state has a
/// generation number; permits carry it, so a late outcome from an earlier state is counted as ignored and never
/// changes the current one. Open becomes half-open lazily, on the first call after the break: no timers, no threads.
/// This file holds the state machine; the call styles live in <c>CircuitBreaker.Execute.cs</c>.
/// </remarks>
public sealed partial class CircuitBreaker
{
    private readonly BreakerClock _clock;
    private readonly FuseboxMetrics _metrics;

    // Settings: replaced as a group by Reconfigure. Readers may briefly see a mix of old and new values; each is
    // valid on its own, and the rules of a half-open round are fixed in its HalfOpenProbes when it starts.
    private CircuitBreakerOptions _options;
    private TripMeter _meter;
    private bool _meterNeedsClock;
    private long _slowThresholdTicks;
    private long _probeTimeoutTicks;
    private Func<Exception, bool>? _shouldHandleException;
    private Func<object?, bool>? _shouldHandleResult;
    private readonly CallCounters _counters = new();
    private StateRecord _state;
    private long _stateChanges;

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
        _options = options?.Clone() ?? new CircuitBreakerOptions();
        _options.Validate();
        Name = name;
        _clock = new BreakerClock(timeProvider ?? _options.TimeProvider ?? TimeProvider.System);
        _options.TimeProvider = _clock.Provider;
        _meter = _options.TripPolicy.CreateMeter();
        Apply(_options);
        _metrics = metrics ?? FuseboxMetrics.Shared;
        _state = new StateRecord(CircuitState.Closed, 0, TransitionReason.Created, null, _clock.UtcNow());
        _metrics.Track(this);
    }

    /// <summary>Raised after every state change, outside any lock. A throwing subscriber cannot break the breaker
    /// (its exception is caught) and does not stop other subscribers. Concurrent changes may be delivered out of
    /// order; <see cref="CircuitStateChangedEventArgs.Generation"/> orders them.</summary>
    public event EventHandler<CircuitStateChangedEventArgs>? StateChanged;

    /// <summary>The breaker's name.</summary>
    public string Name { get; }

    /// <summary>The current state. An open breaker whose break has elapsed still reads <see cref="CircuitState.Open"/>
    /// until the next call moves it to half-open.</summary>
    public CircuitState State => Volatile.Read(ref _state).State;

    /// <summary>A copy of the options this breaker runs with.</summary>
    public CircuitBreakerOptions Options => _options.Clone();

    /// <summary>The clock this breaker reads.</summary>
    public TimeProvider TimeProvider => _clock.Provider;

    /// <summary>The metrics this breaker reports to (resilient callers wrapping it report there too).</summary>
    internal FuseboxMetrics Metrics => _metrics;

    /// <summary>For tests: the source of jitter, a number in [0, 1).</summary>
    internal Func<double> JitterSource { get; set; } = Random.Shared.NextDouble;

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
    public bool TryAcquire(out CircuitPermit permit, out TimeSpan? retryAfter) =>
        TryAcquireCore(out permit, out retryAfter, out _);

    /// <summary>
    /// Adopts new options without losing the current state: the breaker stays in its state and generation, and the
    /// new thresholds apply from the next decision (a running break keeps its end; the next one uses the new
    /// duration). The trip policy's window is kept when the policy is unchanged and starts empty when it changed.
    /// The <see cref="TimeProvider"/> cannot change.
    /// </summary>
    /// <param name="options">The new options (copied and validated now).</param>
    /// <exception cref="ArgumentException">An option is out of range; the breaker keeps its current options.</exception>
    public void Reconfigure(CircuitBreakerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var next = options.Clone();
        next.TimeProvider = _clock.Provider;
        next.Validate();
        if (!Equals(next.TripPolicy, _options.TripPolicy))
        {
            _meter = next.TripPolicy.CreateMeter();
        }

        Apply(next);
        _options = next;
    }

    private void Apply(CircuitBreakerOptions options)
    {
        _meterNeedsClock = options.TripPolicy.RequiresClock;
        _slowThresholdTicks = options.SlowCallThreshold?.Ticks ?? 0;
        _probeTimeoutTicks = options.ProbeTimeout.Ticks;
        _shouldHandleException = options.ShouldHandleException;
        _shouldHandleResult = options.ShouldHandleResult;
    }

    /// <summary>Reads the breaker's state and counts. Allocates the snapshot; not meant for every call.</summary>
    public CircuitSnapshot Snapshot()
    {
        var s = Volatile.Read(ref _state);
        long now = _clock.Now();
        return new CircuitSnapshot
        {
            Name = Name,
            State = s.State,
            Generation = s.Generation,
            SuccessfulCalls = _counters.Read(CallCounter.Success),
            FailedCalls = _counters.Read(CallCounter.Failure),
            RejectedCalls = _counters.Read(CallCounter.Rejected),
            IgnoredCalls = _counters.Read(CallCounter.Ignored),
            SlowCalls = _counters.Read(CallCounter.Slow),
            StateChanges = Interlocked.Read(ref _stateChanges),
            Window = _meter.Read(now),
            OpenedAt = s.OpenedAt,
            RetryAfter = s.State == CircuitState.Open ? TimeSpan.FromTicks(Math.Max(0, s.OpenUntil - now)) : null,
            FreeProbeSlots = s.Probes?.Available(now),
            LastChangedAt = s.ChangedAt,
            LastReason = s.Reason,
            LastReasonDescription = s.Description,
            ConsecutiveOpens = s.ConsecutiveOpens,
            TripPolicy = _options.TripPolicy.ToString() ?? _options.TripPolicy.GetType().Name,
            Coordination = Volatile.Read(ref _coordination)?.Invoke(),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => $"CircuitBreaker({Name}, {State})";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryAcquireCore(out CircuitPermit permit, out TimeSpan? retryAfter, out CircuitState rejectedIn)
    {
        var s = Volatile.Read(ref _state);
        if (s.State is CircuitState.Closed or CircuitState.Disabled)
        {
            permit = new CircuitPermit(this, s.Generation, -1, 0, _slowThresholdTicks == 0 ? 0 : _clock.NowPrecise());
            retryAfter = null;
            rejectedIn = default;
            return true;
        }

        // The permit comes back by value rather than through a second out parameter, so the caller's permit is not
        // handed on by address (which keeps it in a zeroed stack slot); measured slightly faster on the permit path.
        permit = TryAcquireSlow(s, out retryAfter, out rejectedIn);
        return permit.Breaker is not null;
    }

    /// <summary>
    /// The common rejection — open, within its break — decided from a state the caller has already read, and counted.
    /// The result-style calls check it before the general permit path (an outage sends every call here, and going
    /// straight from the state already in hand to the rejection saves a second state read and two calls); the permit
    /// path uses it for its own open state.
    /// </summary>
    /// <param name="s">The state as read by the caller.</param>
    /// <param name="retryAfter">When true: the break left.</param>
    /// <returns>False for every other state (and for an open one whose break has ended: the permit path half-opens it).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool RejectsWithinBreak(StateRecord s, out TimeSpan retryAfter)
    {
        if (s.State == CircuitState.Open && s.OpenUntil - _clock.Now() is > 0 and var left)
        {
            retryAfter = TimeSpan.FromTicks(left);
            Reject();
            return true;
        }

        retryAfter = default;
        return false;
    }

    /// <summary>Every state but closed: returns the permit, or a default one (no breaker) for a rejection.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private CircuitPermit TryAcquireSlow(StateRecord s, out TimeSpan? retryAfter, out CircuitState rejectedIn)
    {
        retryAfter = null;
        rejectedIn = default;
        while (true)
        {
            switch (s.State)
            {
                case CircuitState.Closed or CircuitState.Disabled:
                    return new CircuitPermit(this, s.Generation, -1, 0, _slowThresholdTicks == 0 ? 0 : _clock.NowPrecise());

                case CircuitState.Open:
                {
                    if (RejectsWithinBreak(s, out var left))
                    {
                        retryAfter = left;
                        rejectedIn = s.State;
                        return default;
                    }

                    var halfOpen = new StateRecord(CircuitState.HalfOpen, s.Generation + 1, TransitionReason.BreakElapsed,
                        "break duration elapsed", _clock.UtcNow(), consecutiveOpens: s.ConsecutiveOpens, openedAt: s.OpenedAt,
                        probes: new HalfOpenProbes(_options.HalfOpenPermits, _options.SuccessesToClose ?? _options.HalfOpenPermits));
                    TryTransition(s, halfOpen); // the loser of a race simply re-reads the winner's state
                    break;
                }

                case CircuitState.HalfOpen:
                {
                    long now = _clock.Now();
                    if (s.Probes!.TryClaim(now, _probeTimeoutTicks, out int slot, out long token))
                    {
                        return new CircuitPermit(this, s.Generation, slot, token, _slowThresholdTicks == 0 ? 0 : _clock.NowPrecise());
                    }

                    rejectedIn = s.State;
                    return Reject();
                }

                default:
                    rejectedIn = s.State;
                    return Reject();
            }

            s = Volatile.Read(ref _state);
        }
    }

    private CircuitPermit Reject()
    {
        _counters.Increment(CallCounter.Rejected);
        _metrics.RecordCall(Name, "rejected");
        return default;
    }

    internal Completion Classify(Exception exception, CancellationToken cancellationToken)
    {
        // The caller's own cancellation says nothing about the dependency's health.
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return Completion.Ignored;
        }

        return _shouldHandleException is null || _shouldHandleException(exception) ? Completion.Failure : Completion.Success;
    }

    internal Completion Classify<TResult>(TResult result) =>
        typeof(TResult) != typeof(VoidResult) && _shouldHandleResult is { } handle && handle(result)
            ? Completion.Failure
            : Completion.Success;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Complete(in CircuitPermit permit, Completion completion)
    {
        // Nearly every call ends here: a measured outcome of an ordinary permit in its own generation, with no
        // slow-call threshold to time. Kept this small so it inlines into the call styles; the rest is CompleteSlow.
        var s = Volatile.Read(ref _state);
        if (ReferenceEquals(permit.Breaker, this) && completion != Completion.Ignored && s.Generation == permit.Generation
            && !permit.IsProbe && _slowThresholdTicks == 0)
        {
            RecordMeasured(s, completion == Completion.Failure, slow: false);
            return;
        }

        CompleteSlow(permit, completion, s);
    }

    /// <summary>True when a call may take the closed fast path (<see cref="ClosedCall"/>): closed, and no slow-call
    /// threshold, so the call needs neither a permit nor a start time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsPlainClosed(StateRecord s) => s.State == CircuitState.Closed && _slowThresholdTicks == 0;

    /// <summary>Records the outcome of a call admitted in closed state <paramref name="issuedIn"/> without a permit:
    /// measured when the breaker is still in that state, otherwise handled exactly as a late permit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CompleteClosed(StateRecord issuedIn, Completion completion)
    {
        var s = Volatile.Read(ref _state);
        if (ReferenceEquals(s, issuedIn) && completion != Completion.Ignored)
        {
            RecordMeasured(s, completion == Completion.Failure, slow: false);
            return;
        }

        CompleteClosedSlow(issuedIn, completion, s);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompleteClosedSlow(StateRecord issuedIn, Completion completion, StateRecord s) =>
        CompleteSlow(new CircuitPermit(this, issuedIn.Generation, -1, 0, 0), completion, s);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompleteSlow(in CircuitPermit permit, Completion completion, StateRecord s)
    {
        if (!ReferenceEquals(permit.Breaker, this))
        {
            throw new ArgumentException("The permit was issued by another breaker.", nameof(permit));
        }

        if (completion == Completion.Ignored || s.Generation != permit.Generation)
        {
            // A release frees its probe slot; a late outcome must not touch the current state at all.
            if (completion == Completion.Ignored && permit.IsProbe && s.Generation == permit.Generation)
            {
                s.Probes!.TryRelease(permit.ProbeSlot, permit.ProbeToken);
            }

            CountIgnored();
            return;
        }

        bool failure = completion == Completion.Failure;
        bool slow = _slowThresholdTicks != 0 && _clock.NowPrecise() - permit.StartedAt >= _slowThresholdTicks;

        if (!permit.IsProbe)
        {
            RecordMeasured(s, failure, slow);
            return;
        }

        if (!s.Probes!.TryComplete(permit.ProbeSlot, permit.ProbeToken))
        {
            CountIgnored(); // the probe outlived ProbeTimeout and its slot went to another probe
            return;
        }

        CountCompleted(failure, slow);
        if (failure)
        {
            TryTransition(s, OpenRecord(s, TransitionReason.ProbeFailed, "a half-open probe failed", s.ConsecutiveOpens + 1));
        }
        else if (s.Probes.AddSuccess() >= s.Probes.SuccessesToClose)
        {
            _meter.Reset();
            TryTransition(s, new StateRecord(CircuitState.Closed, s.Generation + 1, TransitionReason.ProbesSucceeded,
                string.Create(CultureInfo.InvariantCulture, $"{s.Probes.SuccessesToClose} half-open probes succeeded"), _clock.UtcNow(), openedAt: s.OpenedAt));
        }
    }

    /// <summary>Counts an outcome of an ordinary (not probe) permit and lets the trip policy judge it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void RecordMeasured(StateRecord s, bool failure, bool slow)
    {
        // The meter first: a windowed meter's interlocked operation waits for earlier stores to drain, so the
        // counter's store is better made after it than before.
        var decision = _meter.Record(failure, slow, _meterNeedsClock ? _clock.Now() : 0);
        CountCompleted(failure, slow);
        if (decision != TripDecision.None && s.State == CircuitState.Closed)
        {
            Trip(s, decision);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountCompleted(bool failure, bool slow)
    {
        _counters.Increment(failure ? CallCounter.Failure : CallCounter.Success);
        _metrics.RecordCall(Name, failure ? "failure" : "success");
        if (slow)
        {
            _counters.Increment(CallCounter.Slow);
            _metrics.RecordSlowCall(Name);
        }
    }

    private void CountIgnored()
    {
        _counters.Increment(CallCounter.Ignored);
        _metrics.RecordCall(Name, "ignored");
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // rare, and large: kept out of the inlined completion path
    private void Trip(StateRecord closed, TripDecision decision)
    {
        var window = _meter.Read(_clock.Now());
        var (reason, description) = decision switch
        {
            TripDecision.ConsecutiveFailures => (TransitionReason.ConsecutiveFailures,
                string.Create(CultureInfo.InvariantCulture, $"{window.Failures} consecutive failures")),
            TripDecision.SlowCallRate => (TransitionReason.SlowCallRate,
                string.Create(CultureInfo.InvariantCulture, $"slow-call rate {window.SlowCallRate * 100:0.#}% over {window.Calls} calls")),
            _ => (TransitionReason.FailureRate,
                string.Create(CultureInfo.InvariantCulture, $"failure rate {window.FailureRate * 100:0.#}% over {window.Calls} calls")),
        };
        TryTransition(closed, OpenRecord(closed, reason, description, 0));
    }

    private StateRecord OpenRecord(StateRecord from, TransitionReason reason, string description, int consecutiveOpens) =>
        new(CircuitState.Open, from.Generation + 1, reason, description, _clock.UtcNow(),
            openUntil: _clock.Now() + BreakTicks(consecutiveOpens), consecutiveOpens: consecutiveOpens, openedAt: _clock.UtcNow());

    /// <summary>The break for the n-th consecutive re-open: grown by the backoff, capped, then shortened by jitter.</summary>
    internal long BreakTicks(int consecutiveOpens)
    {
        double ticks = _options.BreakDuration.Ticks * Math.Pow(_options.BreakDurationBackoff, consecutiveOpens);
        if (_options.MaxBreakDuration is { } max)
        {
            ticks = Math.Min(ticks, max.Ticks);
        }

        if (_options.BreakDurationJitter > 0)
        {
            ticks *= 1 - (_options.BreakDurationJitter * JitterSource());
        }

        return Math.Max(1, (long)ticks);
    }

    /// <returns>False when the breaker was already in <paramref name="target"/>.</returns>
    private bool ForceState(CircuitState target, TransitionReason reason, string? description)
    {
        while (true)
        {
            var s = Volatile.Read(ref _state);
            if (target == CircuitState.Closed)
            {
                _meter.Reset(); // a reset clears the window even when the breaker is already closed
            }

            if (s.State == target)
            {
                return false;
            }

            var next = new StateRecord(target, s.Generation + 1, reason, description, _clock.UtcNow(),
                openedAt: target == CircuitState.Isolated ? _clock.UtcNow() : s.OpenedAt);
            if (TryTransition(s, next))
            {
                return true;
            }
        }
    }

    /// <summary>Publishes <paramref name="next"/> if the state is still <paramref name="expected"/>.</summary>
    private bool TryTransition(StateRecord expected, StateRecord next)
    {
        if (!ReferenceEquals(Interlocked.CompareExchange(ref _state, next, expected), expected))
        {
            return false;
        }

        Interlocked.Increment(ref _stateChanges);
        _metrics.RecordTransition(Name, expected.State, next.State);
        RaiseStateChanged(expected, next);
        return true;
    }

    private void RaiseStateChanged(StateRecord from, StateRecord to)
    {
        if (StateChanged is { } handlers)
        {
            RaiseEach(handlers, new CircuitStateChangedEventArgs(Name, from.State, to.State, to.Reason, to.Description, to.ChangedAt, to.Generation));
        }
    }
}
