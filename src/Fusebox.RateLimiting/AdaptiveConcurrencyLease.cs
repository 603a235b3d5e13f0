using System.Threading.RateLimiting;

namespace Fusebox.RateLimiting;

/// <summary>
/// A slot of an <see cref="AdaptiveConcurrencyLimiter"/>. Dispose it when the call ends: its latency is the limiter's
/// sample. Mark it first when the call says something else about the dependency's capacity:
/// <see cref="MarkDropped"/> for an overload answer (HTTP 429/503, gRPC ResourceExhausted, a timeout),
/// <see cref="MarkIgnored"/> when the call tells nothing (the caller cancelled).
/// </summary>
public sealed class AdaptiveConcurrencyLease : RateLimitLease
{
    internal static readonly AdaptiveConcurrencyLease Rejected = new(null, 0, 0);
    internal static readonly AdaptiveConcurrencyLease Available = new(null, 0, 0);

    private readonly AdaptiveConcurrencyLimiter? _limiter;
    private int _released;
    private int _mark;

    internal AdaptiveConcurrencyLease(AdaptiveConcurrencyLimiter? limiter, long startedAt, int inflight)
    {
        _limiter = limiter;
        StartedAt = startedAt;
        InFlightAtStart = inflight;
    }

    /// <inheritdoc/>
    public override bool IsAcquired => !ReferenceEquals(this, Rejected);

    /// <summary>Calls in flight when this one was admitted, itself included.</summary>
    public int InFlightAtStart { get; }

    /// <inheritdoc/>
    public override IEnumerable<string> MetadataNames => [];

    internal long StartedAt { get; }

    internal bool Dropped => Volatile.Read(ref _mark) == 1;

    internal bool Ignored => Volatile.Read(ref _mark) == 2;

    /// <summary>The dependency shed this call (overload or timeout): AIMD backs off; Gradient2 learns from its latency as usual.</summary>
    public void MarkDropped() => Volatile.Write(ref _mark, 1);

    /// <summary>The call tells nothing about the dependency (e.g. the caller cancelled): it frees its slot and is not a sample.</summary>
    public void MarkIgnored() => Volatile.Write(ref _mark, 2);

    /// <inheritdoc/>
    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // Exactly once, whoever disposes it how often: a second Dispose must not free somebody else's slot.
        if (_limiter is { } limiter && Interlocked.Exchange(ref _released, 1) == 0)
        {
            limiter.Release(this);
        }
    }
}
