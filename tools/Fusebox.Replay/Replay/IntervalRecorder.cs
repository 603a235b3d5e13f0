namespace Fusebox.Replay;

/// <summary>
/// Turns a breaker's state changes into open and half-open spans. An open span ends when its break does (the open
/// event's retry-after), not at the half-open transition: the breaker moves to half-open lazily, on the first call after
/// the break, so the transition's time depends on traffic while the break's end does not.
/// </summary>
internal sealed class IntervalRecorder
{
    private readonly List<BreakerInterval> _intervals = [];
    private readonly List<(TimeSpan At, BreakerState State, TransitionReason Reason)> _transitions = [];
    private (TimeSpan Start, TimeSpan BreakEnd, TransitionReason Reason)? _open;
    private TimeSpan? _halfOpenSince;

    public IReadOnlyList<(TimeSpan At, BreakerState State, TransitionReason Reason)> Transitions => _transitions;

    public void Changed(BreakerStateChangedEventArgs change, TimeSpan now, TimeSpan? breakLeft)
    {
        _transitions.Add((now, change.NewState, change.Reason));
        switch (change.NewState)
        {
            case BreakerState.Open:
                EndHalfOpen(now);
                _open = (now, now + (breakLeft ?? TimeSpan.Zero), change.Reason);
                break;
            case BreakerState.HalfOpen:
                _halfOpenSince = EndOpen(now);
                break;
            default:
                EndHalfOpen(now);
                EndOpen(now);
                break;
        }
    }

    /// <summary>Closes the spans still running at <paramref name="end"/>, the end of the trace, and returns them all.</summary>
    public IReadOnlyList<BreakerInterval> Finish(TimeSpan end)
    {
        if (_open is { } open)
        {
            // A break over before the trace ends leaves the breaker effectively half-open (no call came to probe).
            _halfOpenSince = open.BreakEnd < end ? EndOpen(open.BreakEnd) : EndOpen(end);
        }

        EndHalfOpen(end);
        return _intervals;
    }

    /// <summary>Ends the open span (at its break's end, or earlier when a manual change ended it); returns that time.</summary>
    private TimeSpan? EndOpen(TimeSpan now)
    {
        if (_open is not { } open)
        {
            return null;
        }

        var end = open.BreakEnd < now ? open.BreakEnd : now;
        _intervals.Add(new BreakerInterval(BreakerState.Open, open.Start, end, open.Reason));
        _open = null;
        return end;
    }

    private void EndHalfOpen(TimeSpan now)
    {
        if (_halfOpenSince is { } since)
        {
            _intervals.Add(new BreakerInterval(BreakerState.HalfOpen, since, now, TransitionReason.BreakElapsed));
            _halfOpenSince = null;
        }
    }
}
