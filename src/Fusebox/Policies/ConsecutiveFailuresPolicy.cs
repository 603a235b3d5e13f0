namespace Fusebox;

/// <summary>Opens after a number of failures in a row; any success starts the count again.</summary>
public sealed class ConsecutiveFailuresPolicy : TripPolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="failureThreshold">Failures in a row that open the breaker, 1 or more.</param>
    public ConsecutiveFailuresPolicy(int failureThreshold)
    {
        if (failureThreshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(failureThreshold), failureThreshold,
                $"ConsecutiveFailures failureThreshold must be at least 1 (was {failureThreshold}).");
        }

        FailureThreshold = failureThreshold;
    }

    /// <summary>Failures in a row that open the breaker.</summary>
    public int FailureThreshold { get; }

    /// <inheritdoc/>
    public override TripMeter CreateMeter() => new Meter(FailureThreshold);

    /// <inheritdoc/>
    public override string ToString() => $"ConsecutiveFailures({FailureThreshold})";

    /// <summary>Policies with the same threshold are equal (a reconfigured breaker then keeps its count).</summary>
    public override bool Equals(object? obj) => obj is ConsecutiveFailuresPolicy other && other.FailureThreshold == FailureThreshold;

    /// <inheritdoc/>
    public override int GetHashCode() => FailureThreshold;

    private sealed class Meter(int threshold) : TripMeter
    {
        private int _consecutive;

        public override TripDecision Record(bool failure, bool slow, long now)
        {
            if (!failure)
            {
                // Read before write: the common all-success case then never dirties the cache line.
                if (Volatile.Read(ref _consecutive) != 0)
                {
                    Volatile.Write(ref _consecutive, 0);
                }

                return TripDecision.None;
            }

            return Interlocked.Increment(ref _consecutive) >= threshold ? TripDecision.ConsecutiveFailures : TripDecision.None;
        }

        public override WindowStatistics Read(long now)
        {
            int n = Volatile.Read(ref _consecutive);
            return new WindowStatistics(n, n, 0);
        }
    }
}
