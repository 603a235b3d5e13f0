using Fusebox.Coordination;
namespace Fusebox.Tests.Model;

/// <summary>How a call ended, as the model's rules see it (classification is the caller's business: see <see cref="CallOutcome"/>).</summary>
internal enum Verdict { Success, Failure, Ignored }

/// <summary>
/// A deliberately naive circuit breaker written from the documented rules (docs/concepts.md, the option and method
/// docs), not from the implementation: lists instead of rings, scans instead of running totals, one thread. A probe
/// slot is simply "free", "held by call #n until a deadline" or "used"; a generation is a counter of transitions whose
/// value only matters by comparison. Slow and obviously right, so the real breaker can be checked against it.
/// </summary>
internal sealed class ReferenceBreaker(ModelSettings settings, Func<long> clock, Func<double> jitter)
{
    private readonly List<(long At, bool Failed, bool Slow)> _window = [];
    private Slot[]? _round;
    private int _roundSuccessesToClose;
    private long _openUntil;
    private long _nextCallId;
    private long _successes;
    private long _failures;
    private long _rejected;
    private long _ignored;
    private long _slow;

    /// <summary>A call the model admitted: its generation, its probe slot (or -1), and its start time when it was timed.</summary>
    public sealed record Call(long Id, long Generation, int Slot, long? TimedFrom)
    {
        public bool IsProbe => Slot >= 0;
    }

    /// <summary>A probe slot: <see cref="Holder"/> 0 is free, -1 is used up; otherwise the call holding it until <see cref="Deadline"/>.</summary>
    private record struct Slot(long Holder, long Deadline);

    public ModelSettings Settings { get; private set; } = settings;

    public BreakerState State { get; private set; } = BreakerState.Closed;

    /// <summary>What <see cref="CircuitBreaker.State"/> reports: open with its break over reads half-open.</summary>
    public BreakerState EffectiveState => State == BreakerState.Open && clock() >= _openUntil ? BreakerState.HalfOpen : State;

    /// <summary>Identifies the current state; only compared, never matched against the breaker's number.</summary>
    public long Generation { get; private set; }

    public long Transitions { get; private set; }

    public TransitionReason LastReason { get; private set; } = TransitionReason.Created;

    /// <summary>The lifetime counts, as <see cref="CircuitBreaker.ReadCallCounts"/> reports them.</summary>
    public CallCounts Counts => new(_successes, _failures, _rejected, _ignored, _slow);

    public int RoundSuccesses { get; private set; }

    /// <summary>Time left in the break, while open within it.</summary>
    public TimeSpan? RetryAfter => EffectiveState == BreakerState.Open ? TimeSpan.FromTicks(_openUntil - clock()) : null;

    /// <summary>Probe slots a call could claim now: a fresh round's worth once the break is over.</summary>
    public int? FreeProbeSlots => EffectiveState != BreakerState.HalfOpen ? null
        : State == BreakerState.Open ? Settings.Permits
        : _round!.Count(slot => Claimable(slot, clock()));

    /// <summary>The window as the trip policy sees it now.</summary>
    public WindowStatistics Window
    {
        get
        {
            if (Settings.Policy == ModelPolicy.Consecutive)
            {
                int trailing = 0;
                for (int i = _window.Count - 1; i >= 0 && _window[i].Failed; i--)
                {
                    trailing++;
                }

                return new WindowStatistics(trailing, trailing, 0);
            }

            var inWindow = InWindow(clock());
            return new WindowStatistics(inWindow.Count, inWindow.Count(c => c.Failed), inWindow.Count(c => c.Slow));
        }
    }

    public bool TryAdmit(out Call call, out TimeSpan? retryAfter, out BreakerState rejectedIn)
    {
        long now = clock();
        retryAfter = null;
        rejectedIn = State;
        call = null!;
        if (State == BreakerState.Open && now >= _openUntil)
        {
            // The round's rules are those in force when it starts; a later Reconfigure does not touch them.
            Transition(BreakerState.HalfOpen, TransitionReason.BreakElapsed);
            _round = new Slot[Settings.Permits];
            _roundSuccessesToClose = Settings.RoundSuccessesToClose;
            RoundSuccesses = 0;
        }

        long? timedFrom = Settings.SlowThreshold is null ? null : now;
        switch (State)
        {
            case BreakerState.Closed or BreakerState.Disabled:
                call = new Call(++_nextCallId, Generation, -1, timedFrom);
                return true;

            case BreakerState.HalfOpen:
                // The model, like the breaker, hands out the first claimable slot; which one is taken decides whose
                // late report still counts when a free slot and an expired one are both there.
                int slot = Array.FindIndex(_round!, s => Claimable(s, now));
                if (slot >= 0)
                {
                    call = new Call(++_nextCallId, Generation, slot, timedFrom);
                    _round![slot] = new Slot(call.Id, now + Settings.ProbeTimeout.Ticks);
                    return true;
                }

                break;

            case BreakerState.Open:
                retryAfter = TimeSpan.FromTicks(_openUntil - now);
                break;
        }

        _rejected++;
        return false;
    }

    public void Complete(Call call, Verdict verdict)
    {
        if (call.Generation != Generation)
        {
            _ignored++; // a late outcome never touches the state it did not start in
            return;
        }

        bool holdsSlot = call.IsProbe && _round![call.Slot].Holder == call.Id;
        if (verdict == Verdict.Ignored || (call.IsProbe && !holdsSlot))
        {
            if (holdsSlot)
            {
                _round![call.Slot] = default; // a released probe gives its slot back
            }

            _ignored++;
            return;
        }

        long now = clock();
        bool failed = verdict == Verdict.Failure;

        // Timed only if a threshold was in force when the call was admitted; judged by the threshold in force now.
        bool slow = call.TimedFrom is { } from && Settings.SlowThreshold is { } threshold && now - from >= threshold.Ticks;
        _successes += failed ? 0 : 1;
        _failures += failed ? 1 : 0;
        _slow += slow ? 1 : 0;
        if (!call.IsProbe)
        {
            _window.Add((now, failed, slow));
            if (State == BreakerState.Closed && (failed || slow) && TripReason(now) is { } reason)
            {
                Open(0, reason);
            }

            return;
        }

        _round![call.Slot] = new Slot(-1, 0);
        if (failed)
        {
            Open(ConsecutiveOpens + 1, TransitionReason.ProbeFailed);
        }
        else if (++RoundSuccesses >= _roundSuccessesToClose)
        {
            EnterClosed(BreakerState.Closed, TransitionReason.ProbesSucceeded);
        }
    }

    public int ConsecutiveOpens { get; private set; }

    /// <summary>Isolate, Disable or Reset.</summary>
    public void Force(BreakerState target)
    {
        if (target == BreakerState.Disabled && State == BreakerState.Isolated)
        {
            return; // isolation ends only with a reset
        }

        if (State == target)
        {
            if (target == BreakerState.Closed)
            {
                _window.Clear(); // a reset of a closed breaker clears its window, without a transition
            }

            return;
        }

        if (target == BreakerState.Isolated)
        {
            Transition(BreakerState.Isolated, TransitionReason.ManualIsolate);
            ConsecutiveOpens = 0;
        }
        else
        {
            EnterClosed(target, target == BreakerState.Closed ? TransitionReason.ManualReset : TransitionReason.ManualDisable);
        }
    }

    /// <summary>Same state and generation; the window survives only an equal policy; running rounds and breaks keep their rules.</summary>
    public void Reconfigure(ModelSettings next)
    {
        if (!next.SamePolicyAs(Settings))
        {
            _window.Clear();
        }

        Settings = next;
    }

    private static bool Claimable(Slot slot, long now) => slot.Holder == 0 || (slot.Holder > 0 && now >= slot.Deadline);

    private void EnterClosed(BreakerState state, TransitionReason reason)
    {
        Transition(state, reason);
        _window.Clear();
        ConsecutiveOpens = 0;
    }

    private void Open(int consecutiveOpens, TransitionReason reason)
    {
        Transition(BreakerState.Open, reason);
        ConsecutiveOpens = consecutiveOpens;

        // The documented break: grown by the backoff per re-open, capped, then shortened by up to the jitter fraction.
        double ticks = Settings.Break.Ticks * Math.Pow(Settings.Backoff, consecutiveOpens);
        if (Settings.MaxBreak is { } max)
        {
            ticks = Math.Min(ticks, max.Ticks);
        }

        if (Settings.Jitter > 0)
        {
            ticks *= 1 - (Settings.Jitter * jitter());
        }

        _openUntil = clock() + Math.Max(1, (long)ticks);
    }

    private void Transition(BreakerState state, TransitionReason reason)
    {
        State = state;
        LastReason = reason;
        Generation++;
        Transitions++;
        _round = null;
    }

    private TransitionReason? TripReason(long now)
    {
        if (Settings.Policy == ModelPolicy.Consecutive)
        {
            return Window.Failures >= Settings.Threshold ? TransitionReason.ConsecutiveFailures : null;
        }

        var calls = InWindow(now);
        if (calls.Count < Settings.MinCalls)
        {
            return null;
        }

        if (Settings.FailureRate is { } f && (double)calls.Count(c => c.Failed) / calls.Count >= f)
        {
            return TransitionReason.FailureRate;
        }

        return Settings.SlowRate is { } s && (double)calls.Count(c => c.Slow) / calls.Count >= s ? TransitionReason.SlowCallRate : null;
    }

    /// <summary>The calls the windowed policy counts at <paramref name="now"/>: the last N, or those in the current bucket and the B-1 before it.</summary>
    private List<(long At, bool Failed, bool Slow)> InWindow(long now)
    {
        if (Settings.Policy == ModelPolicy.CountWindow)
        {
            return _window.Skip(Math.Max(0, _window.Count - Settings.Window)).ToList();
        }

        long width = Settings.TimeWindow.Ticks / Settings.Buckets;
        return _window.Where(c => c.At / width > (now / width) - Settings.Buckets).ToList();
    }
}
