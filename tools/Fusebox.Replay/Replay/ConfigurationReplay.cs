namespace Fusebox.Replay;

/// <summary>
/// Replays a trace through one real <see cref="CircuitBreaker"/> on a <see cref="ReplayClock"/>. Each record is two
/// events: its admission at <see cref="TraceRecord.At"/> (<see cref="CircuitBreaker.TryAcquire(out CircuitPermit)"/>)
/// and, when admitted, its completion at <see cref="TraceRecord.CompletedAt"/> (the outcome reported on the permit).
/// Events run in time order: admissions in trace order, and before each admission every completion due by then,
/// earliest first (a priority queue; ties in admission order). A completion at the same instant as an admission runs
/// first: an outcome known at t decides a call admitted at t. Overlapping calls therefore interleave as they did live,
/// and the clock moves by the call's duration between admission and completion, which is what the breaker's
/// slow-call measurement reads.
/// </summary>
internal sealed class ConfigurationReplay
{
    private readonly ReplayClock _clock;
    private readonly CircuitBreaker _breaker;
    private readonly TimeSpan? _slowThreshold;
    private readonly IntervalRecorder _intervals = new();
    private readonly PriorityQueue<(CircuitPermit Permit, TraceRecord Record), (long, int)> _running = new();
    private int _rejected, _failuresLetThrough, _failuresRejected, _successesRejected, _unknownAdmitted, _slow, _matches;
    private TimeSpan? _firstRejectedAt;

    public ConfigurationReplay(ReplayConfiguration configuration, DateTimeOffset origin, int jitterSeed)
    {
        Name = configuration.Name;
        _clock = new ReplayClock(origin);
        var options = configuration.Options.Clone();
        options.TimeProvider = _clock;
        if (options.BreakDurationJitter > 0 && options.JitterSource is null)
        {
            var random = new Random(jitterSeed); // one thread drives the replay: a plain Random is safe here
            options.JitterSource = random.NextDouble;
        }

        _slowThreshold = options.SlowCallThreshold;
        _breaker = new CircuitBreaker(configuration.Name, options, _clock);
        _breaker.StateChanged += (_, e) => _intervals.Changed(e, _clock.Now, _breaker.Snapshot().RetryAfter);
    }

    public string Name { get; }

    public ConfigurationResult Run(OutcomeTrace trace)
    {
        int sequence = 0;
        foreach (var record in trace.Records)
        {
            CompleteUntil(record.At);
            _clock.MoveTo(record.At);
            bool admitted = _breaker.TryAcquire(out var permit);
            if (admitted == (record.Outcome != TraceOutcome.Rejected))
            {
                _matches++;
            }

            if (!admitted)
            {
                CountRejection(record);
            }
            else if (record.Outcome == TraceOutcome.Rejected)
            {
                _unknownAdmitted++;
                permit.Release(); // the real outcome is unknown: report nothing rather than guess
            }
            else
            {
                _running.Enqueue((permit, record), (record.CompletedAt.Ticks, sequence++));
            }
        }

        CompleteUntil(TimeSpan.MaxValue);
        var end = trace.End > _clock.Now ? trace.End : _clock.Now;
        return new ConfigurationResult
        {
            Name = Name,
            Intervals = _intervals.Finish(end),
            Transitions = _intervals.Transitions,
            Rejected = _rejected,
            FailuresLetThrough = _failuresLetThrough,
            FailuresRejected = _failuresRejected,
            SuccessesRejected = _successesRejected,
            UnknownAdmitted = _unknownAdmitted,
            SlowCalls = _slow,
            StateChanges = _intervals.Transitions.Count,
            MatchesRecording = _matches,
            FirstRejectedAt = _firstRejectedAt,
        };
    }

    private void CountRejection(in TraceRecord record)
    {
        _rejected++;
        _firstRejectedAt ??= record.At;
        switch (record.Outcome)
        {
            case TraceOutcome.Success:
                _successesRejected++;
                break;
            case TraceOutcome.Failure or TraceOutcome.Timeout:
                _failuresRejected++;
                break;
        }
    }

    private void CompleteUntil(TimeSpan until)
    {
        while (_running.TryPeek(out var call, out _) && call.Record.CompletedAt <= until)
        {
            _running.Dequeue();
            _clock.MoveTo(call.Record.CompletedAt);
            if (_slowThreshold is { } threshold && call.Record.Duration >= threshold)
            {
                _slow++;
            }

            if (call.Record.IsFailure)
            {
                _failuresLetThrough++;
                call.Permit.RecordFailure();
            }
            else
            {
                call.Permit.RecordSuccess();
            }
        }
    }
}
