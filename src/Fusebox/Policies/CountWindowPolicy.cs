namespace Fusebox;

/// <summary>
/// Failure (and slow-call) rate over the last N calls. The window is a ring of one byte per call plus running
/// totals: recording a call swaps one ring cell with <see cref="Interlocked.Exchange(ref byte, byte)"/> (or only reads
/// it, when it already holds the new value) and adjusts the totals by the difference, so the totals always equal the
/// ring's contents, without a lock or a scan.
/// </summary>
public sealed class CountWindowPolicy : TripPolicy
{
    /// <summary>The largest window accepted (one byte per call).</summary>
    public const int MaxWindowSize = 10_000_000;

    private readonly WindowThresholds _thresholds;

    internal CountWindowPolicy(WindowThresholds thresholds, int windowSize)
    {
        if (windowSize < 1 || windowSize > MaxWindowSize)
        {
            throw new ArgumentOutOfRangeException(nameof(windowSize), windowSize,
                $"windowSize must be between 1 and {MaxWindowSize:N0} calls (was {windowSize}).");
        }

        if (thresholds.MinimumCalls > windowSize)
        {
            throw new ArgumentOutOfRangeException("minimumCalls", thresholds.MinimumCalls,
                $"minimumCalls must be between 1 and windowSize ({windowSize}) (was {thresholds.MinimumCalls}); otherwise the breaker could never trip.");
        }

        _thresholds = thresholds;
        WindowSize = windowSize;
    }

    /// <summary>Calls in the sliding window.</summary>
    public int WindowSize { get; }

    /// <summary>Failure-rate threshold, or null when only the slow-call rate trips.</summary>
    public double? FailureRateThreshold => _thresholds.FailureRate;

    /// <summary>Slow-call-rate threshold, or null.</summary>
    public double? SlowCallRateThreshold => _thresholds.SlowCallRate;

    /// <summary>Calls needed in the window before a rate is trusted.</summary>
    public int MinimumCalls => _thresholds.MinimumCalls;

    /// <inheritdoc/>
    public override bool UsesSlowCalls => _thresholds.SlowCallRate is not null;

    /// <summary>Policies with the same window and thresholds are equal (a reconfigured breaker then keeps its window).</summary>
    public override bool Equals(object? obj) => obj is CountWindowPolicy other && other.WindowSize == WindowSize && other._thresholds.Equals(_thresholds);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(WindowSize, _thresholds);

    /// <inheritdoc/>
    public override TripMeter CreateMeter() => new Meter(_thresholds, WindowSize);

    /// <inheritdoc/>
    public override string ToString() => $"FailureRate(window={WindowSize} calls, {_thresholds})";

    private sealed class Meter(WindowThresholds thresholds, int size) : TripMeter
    {
        private const byte Called = 1;
        private const byte FailedBit = 2;
        private const byte SlowBit = 4;

        // _cursor packs the next ring cell (low 31 bits) with a bit set once the ring has gone round: one
        // compare-and-swap moves the cursor, wraps it and counts the calls in the window, with no division (a 64-bit
        // remainder of an ever-growing sequence cost several ns a call) and no separate count to keep in step.
        private const int Full = int.MinValue;
        private const int CellMask = int.MaxValue;
        private readonly byte[] _ring = new byte[size];
        private int _cursor;
        private long _failures;
        private long _slow;

        public override TripDecision Record(bool failure, bool slow, long now)
        {
            byte cell = (byte)(Called | (failure ? FailedBit : 0) | (slow ? SlowBit : 0));
            int cursor = Volatile.Read(ref _cursor);
            int next;
            // Stryker disable once Boolean : while (false) leaves `next` unassigned, a compile error that would make Stryker drop every mutant of Record.
            while (true)
            {
                int index = cursor & CellMask;
                next = index + 1 == _ring.Length ? Full : (cursor & Full) | (index + 1);
                int seen = Interlocked.CompareExchange(ref _cursor, next, cursor);
                if (seen == cursor)
                {
                    break;
                }

                cursor = seen;
            }

            ref byte slot = ref _ring[cursor & CellMask];

            // Most calls write the value the cell already holds (a success over a success). Skipping that write is
            // the same as exchanging a value for itself: the read is the exchange, the deltas are zero, and the
            // totals still equal the ring's contents. It saves an interlocked operation on most calls.
            byte old = Volatile.Read(ref slot);
            if (old != cell)
            {
                old = Interlocked.Exchange(ref slot, cell);
            }

            int failureDelta = ((cell & FailedBit) - (old & FailedBit)) >> 1;
            if (failureDelta != 0)
            {
                Interlocked.Add(ref _failures, failureDelta);
            }

            int slowDelta = ((cell & SlowBit) - (old & SlowBit)) >> 2;
            if (slowDelta != 0)
            {
                Interlocked.Add(ref _slow, slowDelta);
            }

            // A fast success cannot raise either rate, so it never needs an evaluation.
            if (!failure && !slow)
            {
                return TripDecision.None;
            }

            return thresholds.Evaluate(CallsIn(next), Volatile.Read(ref _failures), Volatile.Read(ref _slow));
        }

        public override WindowStatistics Read(long now) =>
            new(CallsIn(Volatile.Read(ref _cursor)), Volatile.Read(ref _failures), Volatile.Read(ref _slow));

        /// <summary>Calls in the window once the cursor reads <paramref name="cursor"/>: the whole ring once it went round.</summary>
        private int CallsIn(int cursor) => (cursor & Full) != 0 ? _ring.Length : cursor;
    }
}
