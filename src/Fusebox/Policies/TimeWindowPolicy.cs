using System.Runtime.CompilerServices;

namespace Fusebox;

/// <summary>
/// Failure (and slow-call) rate over the last span of time, kept in a fixed number of buckets with running
/// totals. A call touches one bucket; moving the window clears at most <see cref="Buckets"/> buckets, a constant, so
/// the cost per call does not depend on traffic or window length. A short lock guards the buckets: it is held for a
/// handful of instructions and is uncontended unless many cores call the same breaker at once. It is a spin lock of
/// one compare-and-swap to enter and a plain store to leave (a <see cref="Lock"/> costs two interlocked operations and
/// two thread-id reads), and it yields the processor when a holder was preempted.
/// </summary>
public sealed class TimeWindowPolicy : TripPolicy
{
    /// <summary>The largest number of buckets accepted.</summary>
    public const int MaxBuckets = 1000;

    private readonly WindowThresholds _thresholds;

    internal TimeWindowPolicy(WindowThresholds thresholds, TimeSpan window, int buckets)
    {
        if (buckets < 1 || buckets > MaxBuckets)
        {
            throw new ArgumentOutOfRangeException(nameof(buckets), buckets, $"buckets must be between 1 and {MaxBuckets} (was {buckets}).");
        }

        if (window.Ticks < buckets)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window,
                $"window must be greater than zero and at least {buckets} ticks (one per bucket) (was {window}).");
        }

        _thresholds = thresholds;
        Window = window;
        Buckets = buckets;
    }

    /// <summary>The span of time the rate is computed over.</summary>
    public TimeSpan Window { get; }

    /// <summary>How many steps the window moves in.</summary>
    public int Buckets { get; }

    /// <summary>Failure-rate threshold, or null when only the slow-call rate trips.</summary>
    public double? FailureRateThreshold => _thresholds.FailureRate;

    /// <summary>Slow-call-rate threshold, or null.</summary>
    public double? SlowCallRateThreshold => _thresholds.SlowCallRate;

    /// <summary>Calls needed in the window before a rate is trusted.</summary>
    public int MinimumCalls => _thresholds.MinimumCalls;

    /// <inheritdoc/>
    public override bool RequiresClock => true;

    /// <inheritdoc/>
    public override bool UsesSlowCalls => _thresholds.SlowCallRate is not null;

    /// <summary>Policies with the same window and thresholds are equal (a reconfigured breaker then keeps its window).</summary>
    public override bool Equals(object? obj) => obj is TimeWindowPolicy other && other.Window == Window && other.Buckets == Buckets && other._thresholds.Equals(_thresholds);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Window, Buckets, _thresholds);

    /// <inheritdoc/>
    public override TripMeter CreateMeter() => new Meter(_thresholds, Window.Ticks / Buckets, Buckets);

    /// <inheritdoc/>
    public override string ToString() => $"FailureRate(window={Window}, buckets={Buckets}, {_thresholds})";

    private sealed class Meter(WindowThresholds thresholds, long bucketTicks, int bucketCount) : TripMeter
    {
        private int _gate; // 0 free, 1 held: see Enter and Exit
        private readonly long[] _calls = new long[bucketCount];
        private readonly long[] _failures = new long[bucketCount];
        private readonly long[] _slow = new long[bucketCount];
        private long _head = long.MinValue; // index (time / bucketTicks) of the newest bucket

        // The newest bucket's span of time and ring slot, so that a call within it (nearly every call) finds its
        // bucket with two comparisons instead of a 64-bit division and remainder, which cost several ns a call.
        private long _headStart = long.MaxValue;
        private long _headEnd = long.MinValue;
        private int _headSlot;
        private long _totalCalls;
        private long _totalFailures;
        private long _totalSlow;

        public override TripDecision Record(bool failure, bool slow, long now)
        {
            Enter();
            try
            {
                int b = Advance(now);
                _calls[b]++;
                _totalCalls++;
                if (failure)
                {
                    _failures[b]++;
                    _totalFailures++;
                }

                if (slow)
                {
                    _slow[b]++;
                    _totalSlow++;
                }

                return failure || slow ? thresholds.Evaluate(_totalCalls, _totalFailures, _totalSlow) : TripDecision.None;
            }
            finally
            {
                Exit();
            }
        }

        public override WindowStatistics Read(long now)
        {
            Enter();
            try
            {
                Advance(now);
                return new WindowStatistics(_totalCalls, _totalFailures, _totalSlow);
            }
            finally
            {
                Exit();
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Enter()
        {
            if (Interlocked.CompareExchange(ref _gate, 1, 0) != 0)
            {
                EnterContended();
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private void EnterContended()
        {
            var spinner = default(SpinWait);
            do
            {
                spinner.SpinOnce(); // spins, then yields and sleeps, so a preempted holder gets the processor back
            }
            while (Volatile.Read(ref _gate) != 0 || Interlocked.CompareExchange(ref _gate, 1, 0) != 0);
        }

        private void Exit() => Volatile.Write(ref _gate, 0);

        /// <summary>Moves the window to <paramref name="now"/>, expiring buckets that fell out; returns the current slot.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Advance(long now) => now >= _headStart && now < _headEnd ? _headSlot : AdvanceSlow(now);

        [MethodImpl(MethodImplOptions.NoInlining)]
        private int AdvanceSlow(long now)
        {
            long index = Math.Max(now, 0) / bucketTicks;
            if (_head == long.MinValue)
            {
                _head = index;
            }
            else if (index > _head)
            {
                // Expire the buckets between the old head and the new one; at most bucketCount of them.
                long expireUntil = Math.Min(index, _head + bucketCount);
                for (long i = _head + 1; i <= expireUntil; i++)
                {
                    int slot = (int)(i % bucketCount);
                    _totalCalls -= _calls[slot];
                    _totalFailures -= _failures[slot];
                    _totalSlow -= _slow[slot];
                    _calls[slot] = _failures[slot] = _slow[slot] = 0;
                }

                _head = index;
            }

            // A clock that steps back lands in the newest bucket rather than corrupting older ones (and is not
            // cached: only the newest bucket's own span is).
            _headSlot = (int)(_head % bucketCount);
            if (index == _head)
            {
                _headStart = _head * bucketTicks;
                _headEnd = _headStart + bucketTicks;
            }

            return _headSlot;
        }
    }
}
