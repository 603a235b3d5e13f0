using System.Globalization;

namespace Fusebox;

// The evaluation: on every interval the outlier test (each member's calls and success rate over the interval, read
// from the member's own counters, so calls pay nothing for it), then the health count that decides panic, and a
// sweep of open slots whose release was missed. A refused opening or a member that opens asks for the health count at
// once, so panic does not wait for the next interval. Requests never block: one thread evaluates at a time and runs
// every request made while it ran before it stops.
public sealed partial class BreakerGroup
{
    private const int HealthWork = 1;
    private const int IntervalWork = 2;

    private int _pendingWork; // HealthWork | IntervalWork bits requested and not yet run
    private int _evaluating; // 1 while a thread evaluates
    private volatile bool _panicking;
    private long _wouldHaveOpened;
    private long _ejections;
    private int _healthyMembers;
    private DateTimeOffset? _panicSince;
    private DateTimeOffset? _lastEvaluatedAt;
    private double _meanSuccessRate = double.NaN;
    private double _outlierThreshold = double.NaN;

    /// <summary>Runs an interval's evaluation now (the outlier test over the calls since the last one, then the health
    /// count), as the timer does. When another thread is evaluating, that thread runs it right after its own.</summary>
    public void Evaluate() => RequestEvaluation(IntervalWork | HealthWork);

    private void RequestEvaluation(int work)
    {
        Interlocked.Or(ref _pendingWork, work);

        // Interleaving: a request made while another thread evaluates is left in _pendingWork; that thread clears
        // _evaluating with a full fence and then re-reads _pendingWork, while the requester set _pendingWork before
        // trying _evaluating. So either the evaluator sees the request, or the requester sees _evaluating free: no
        // request is left behind, and no thread ever waits for another.
        while (Volatile.Read(ref _pendingWork) != 0 && Interlocked.CompareExchange(ref _evaluating, 1, 0) == 0)
        {
            try
            {
                int pending = Interlocked.Exchange(ref _pendingWork, 0);
                if ((pending & IntervalWork) != 0)
                {
                    JudgeOutliers();
                }

                CountHealthy();
            }
            finally
            {
                Interlocked.Exchange(ref _evaluating, 0);
            }
        }
    }

    /// <summary>The outlier test over the calls each member had since the last interval (Envoy's success-rate rule).</summary>
    private void JudgeOutliers()
    {
        var members = Volatile.Read(ref _members);
        int qualifying = 0;
        double sum = 0;
        foreach (var seat in members)
        {
            var counts = seat.Breaker.ReadCallCounts();
            long successes = counts.Successful - seat.LastSuccesses;
            long failures = counts.Failed - seat.LastFailures;
            (seat.LastSuccesses, seat.LastFailures) = (counts.Successful, counts.Failed);
            seat.IntervalCalls = successes + failures;
            seat.IntervalSuccessRate = seat.IntervalCalls == 0 ? double.NaN : (double)successes / seat.IntervalCalls;
            if (seat.IntervalCalls >= _options.OutlierMinimumCalls)
            {
                qualifying++;
                sum += seat.IntervalSuccessRate;
            }
        }

        _lastEvaluatedAt = _timeProvider.GetUtcNow();
        if (qualifying < _options.OutlierMinimumMembers)
        {
            (_meanSuccessRate, _outlierThreshold) = (double.NaN, double.NaN);
            return;
        }

        double mean = sum / qualifying;
        double squares = 0;
        foreach (var seat in members)
        {
            if (seat.IntervalCalls >= _options.OutlierMinimumCalls)
            {
                squares += (seat.IntervalSuccessRate - mean) * (seat.IntervalSuccessRate - mean);
            }
        }

        double stdev = Math.Sqrt(squares / qualifying); // the population's, as Envoy's
        double threshold = mean - (_options.OutlierStdevFactor * stdev);
        (_meanSuccessRate, _outlierThreshold) = (mean, threshold);
        if (!_options.DetectOutliers || _panicking)
        {
            return; // in panic the hosts are not to blame: ejecting one would only move the caller's trouble around
        }

        foreach (var seat in members)
        {
            if (seat.IntervalCalls >= _options.OutlierMinimumCalls && seat.IntervalSuccessRate < threshold)
            {
                Eject(seat, string.Create(CultureInfo.InvariantCulture,
                    $"outlier: success rate {seat.IntervalSuccessRate * 100:0.#}% over {seat.IntervalCalls} calls, below the group's {threshold * 100:0.#}% (mean {mean * 100:0.#}% − {_options.OutlierStdevFactor} × stdev {stdev * 100:0.#}%)"));
            }
        }
    }

    private void Eject(GroupSeat seat, string description)
    {
        if (!seat.Breaker.TryReadClosedGeneration(out long generation))
        {
            return; // already open, half-open, or under an operator's control
        }

        if (!TryReserveOpenSlot(seat, generation))
        {
            RefusedOpen(seat, description, outlier: true);
            return;
        }

        if (seat.Breaker.TryEjectOutlier(generation, description))
        {
            Interlocked.Increment(ref seat.Ejections);
            Interlocked.Increment(ref _ejections);
            Instruments.Ejected(Name, seat.Breaker.Name);
            Raise(new BreakerGroupEventArgs(Name, BreakerGroupEventKind.OutlierEjected, seat.Key, seat.Breaker.Name, description, _timeProvider.GetUtcNow()));
            return;
        }

        // The member moved on meanwhile: if it is not open now, the slot reserved for this ejection is nobody's.
        var (state, now) = seat.Breaker.ReadRecordedState();
        SweepSlot(seat, state, now);
    }

    /// <summary>Counts healthy members (closed or disabled, and not held closed by the cap), enters or leaves panic,
    /// and frees open slots whose release was missed.</summary>
    private void CountHealthy()
    {
        var members = Volatile.Read(ref _members);
        long now = Now();
        int healthy = 0;
        foreach (var seat in members)
        {
            var (state, generation) = seat.Breaker.ReadRecordedState();
            SweepSlot(seat, state, generation);
            if (state is BreakerState.Closed or BreakerState.Disabled && now >= Volatile.Read(ref seat.HeldUntil))
            {
                healthy++;
            }
        }

        Volatile.Write(ref _healthyMembers, healthy);
        bool panic = members.Length > 0 && healthy * 100.0 < _options.PanicThresholdPercent * members.Length;
        if (panic == _panicking)
        {
            return;
        }

        _panicking = panic;
        var at = _timeProvider.GetUtcNow();
        _panicSince = panic ? at : null;
        Instruments.PanicChanged(Name, panic);
        Raise(new BreakerGroupEventArgs(Name, panic ? BreakerGroupEventKind.PanicEntered : BreakerGroupEventKind.PanicExited, null, null,
            string.Create(CultureInfo.InvariantCulture,
                $"{healthy} of {members.Length} members healthy, {(panic ? "below" : "at or above")} the panic threshold of {_options.PanicThresholdPercent}%"),
            at));
    }
}
