namespace Fusebox.Tests.Model;

/// <summary>
/// A deliberately naive circuit breaker: lists instead of rings, scans instead of running totals, one thread.
/// Slow and obviously right, so the real breaker can be checked against it decision by decision.
/// </summary>
internal sealed class ReferenceBreaker(ReferenceBreaker.Config config, Func<long> clock)
{
    public enum PolicyKind { Consecutive, CountWindow, TimeWindow }

    public sealed record Config(PolicyKind Policy, int Threshold, double Rate, int Window, int MinCalls, TimeSpan TimeWindow, int Buckets,
        TimeSpan Break, double Backoff, TimeSpan MaxBreak, int Permits, int SuccessesToClose, TimeSpan ProbeTimeout);

    public readonly record struct Permit(long Generation, int Slot, long Token);

    private readonly List<(long At, bool Failed)> _history = [];
    private long[] _slots = [];
    private int _probeSuccesses;
    private long _openUntil;
    private int _reopens;

    public BreakerState State { get; private set; } = BreakerState.Closed;

    /// <summary>What <see cref="CircuitBreaker.State"/> reports: open with its break over reads half-open.</summary>
    public BreakerState EffectiveState => State == BreakerState.Open && clock() >= _openUntil ? BreakerState.HalfOpen : State;

    public long Generation { get; private set; }

    public long Successes { get; private set; }

    public long Failures { get; private set; }

    public long Rejected { get; private set; }

    public long Ignored { get; private set; }

    public bool TryAcquire(out Permit permit)
    {
        long now = clock();
        if (State == BreakerState.Open && now >= _openUntil)
        {
            State = BreakerState.HalfOpen;
            Generation++;
            _slots = new long[config.Permits];
            _probeSuccesses = 0;
        }

        switch (State)
        {
            case BreakerState.Closed or BreakerState.Disabled:
                permit = new Permit(Generation, -1, 0);
                return true;
            case BreakerState.HalfOpen:
                for (int i = 0; i < _slots.Length; i++)
                {
                    if (_slots[i] == 0 || (_slots[i] > 0 && _slots[i] <= now))
                    {
                        _slots[i] = Math.Max(now + config.ProbeTimeout.Ticks, 1);
                        permit = new Permit(Generation, i, _slots[i]);
                        return true;
                    }
                }

                break;
        }

        Rejected++;
        permit = default;
        return false;
    }

    /// <summary>outcome: 0 success, 1 failure, 2 released.</summary>
    public void Report(Permit permit, int outcome)
    {
        bool current = permit.Generation == Generation;
        if (outcome == 2 || !current)
        {
            if (outcome == 2 && current && permit.Slot >= 0 && _slots[permit.Slot] == permit.Token)
            {
                _slots[permit.Slot] = 0;
            }

            Ignored++;
            return;
        }

        bool failed = outcome == 1;
        if (permit.Slot < 0)
        {
            Count(failed);
            _history.Add((clock(), failed));
            if (failed && State == BreakerState.Closed && ShouldTrip())
            {
                Open(0);
            }

            return;
        }

        if (_slots[permit.Slot] != permit.Token)
        {
            Ignored++;
            return;
        }

        _slots[permit.Slot] = -1;
        Count(failed);
        if (failed)
        {
            Open(_reopens + 1);
        }
        else if (++_probeSuccesses >= config.SuccessesToClose)
        {
            _history.Clear();
            State = BreakerState.Closed;
            Generation++;
            _reopens = 0;
        }
    }

    public void Force(BreakerState target)
    {
        if (target == BreakerState.Disabled && State == BreakerState.Isolated)
        {
            return; // isolation ends only with a reset
        }

        if (target == BreakerState.Closed)
        {
            _history.Clear();
        }

        if (State != target)
        {
            State = target;
            Generation++;
            _reopens = 0;
        }
    }

    private void Count(bool failed)
    {
        if (failed)
        {
            Failures++;
        }
        else
        {
            Successes++;
        }
    }

    private void Open(int reopens)
    {
        State = BreakerState.Open;
        Generation++;
        _reopens = reopens;
        double seconds = Math.Min(config.Break.TotalSeconds * Math.Pow(config.Backoff, reopens), config.MaxBreak.TotalSeconds);
        _openUntil = clock() + TimeSpan.FromSeconds(seconds).Ticks;
    }

    private bool ShouldTrip()
    {
        switch (config.Policy)
        {
            case PolicyKind.Consecutive:
                int trailing = 0;
                for (int i = _history.Count - 1; i >= 0 && _history[i].Failed; i--)
                {
                    trailing++;
                }

                return trailing >= config.Threshold;

            case PolicyKind.CountWindow:
                var last = _history.Skip(Math.Max(0, _history.Count - config.Window)).ToList();
                return RateReached(last.Count, last.Count(h => h.Failed));

            default:
                long width = config.TimeWindow.Ticks / config.Buckets;
                long newest = _history.Max(h => h.At / width);
                var inWindow = _history.Where(h => h.At / width > newest - config.Buckets).ToList();
                return RateReached(inWindow.Count, inWindow.Count(h => h.Failed));
        }
    }

    private bool RateReached(int calls, int failures) => calls >= config.MinCalls && (double)failures / calls >= config.Rate;
}
