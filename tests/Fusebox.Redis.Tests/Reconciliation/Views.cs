using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Redis.Tests.Reconciliation;

/// <summary>Builders for the reconciler's inputs: a fake clock, views of the shared state and the local side.</summary>
internal static class Views
{
    public const string Me = "me";
    public const string Other = "other";
    public static readonly TimeSpan HoldGrace = TimeSpan.FromSeconds(3);

    public static (Reconciler Reconciler, FakeTimeProvider Time, CoordinatorClock Clock) Create(TimeSpan? skew = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero) + (skew ?? TimeSpan.Zero));
        var clock = new CoordinatorClock(time);
        return (new Reconciler(clock, Me, HoldGrace), time, clock);
    }

    public static ClusterView View(BreakerState state, long generation, string epoch = "e1", string by = Other, string description = "d",
        long openLeftMs = 0, long receivedAt = 0, int opens = 0, int code = 1) => new()
    {
        Epoch = epoch,
        Generation = generation,
        State = state,
        DecidedBy = by,
        Description = description,
        OpenLeftMs = openLeftMs,
        ReceivedAt = receivedAt,
        ConsecutiveOpens = opens,
        Code = code,
    };

    /// <summary>A local side in sync with <paramref name="known"/>: the breaker's generation is the adopted one.</summary>
    public static LocalView InSync(BreakerState state, ClusterView? known, long generation = 10, SharingMode mode = SharingMode.Quorum) =>
        new(state, generation, generation, Held: false, known, PendingPublishes: 0, mode);

    /// <summary>A local side that changed on its own since the last adoption (a local trip, a local round).</summary>
    public static LocalView Diverged(BreakerState state, ClusterView? known, long generation = 11, SharingMode mode = SharingMode.Quorum) =>
        new(state, generation, generation - 1, Held: false, known, PendingPublishes: 0, mode);
}
