namespace Fusebox.Internal;

/// <summary>
/// The other replicas' throttling counts, as a coordinator last handed them to a breaker: one immutable object, so an
/// admission that reads the reference once sees requests, accepts and expiry of the same hand-over (the interleaving
/// argument is on <see cref="ThrottleStage"/>). It stops counting at <see cref="ExpiresAt"/>, a throttle window after
/// the hand-over on the breaker's clock, so a coordinator that stops refreshing (its store unreachable) cannot pin the
/// probability: the breaker falls back to its own window by itself.
/// </summary>
internal sealed class RemoteThrottleCounts(long requests, long accepts, long expiresAt)
{
    public long Requests { get; } = requests;

    public long Accepts { get; } = accepts;

    /// <summary>Breaker clock ticks (<see cref="BreakerClock.Now"/>) from which these counts no longer count.</summary>
    public long ExpiresAt { get; } = expiresAt;

    /// <summary>Whether the counts still count at <paramref name="now"/>.</summary>
    public bool LiveAt(long now) => now < ExpiresAt;
}
