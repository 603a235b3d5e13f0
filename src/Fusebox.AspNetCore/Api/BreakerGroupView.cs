namespace Fusebox.AspNetCore;

/// <summary>
/// One breaker group as the admin API shows it (<c>GET /api/groups</c>, the event stream's <c>groups</c>): a read of
/// <see cref="BreakerGroup.Snapshot"/>. Internal on purpose: the JSON is the contract, not a .NET type. Rates the
/// group could not compute (NaN) are null, since JSON has no NaN.
/// </summary>
internal sealed record BreakerGroupView(
    string Name,
    bool Panicking,
    DateTimeOffset? PanicSince,
    int HealthyMembers,
    int OpenSlotsUsed,
    int MaxOpen,
    int MembersRejecting,
    long WouldHaveOpened,
    long Ejections,
    double? MeanSuccessRate,
    double? OutlierThreshold,
    DateTimeOffset? LastEvaluatedAt,
    IReadOnlyList<BreakerGroupMemberView> Members)
{
    internal static BreakerGroupView From(BreakerGroup group)
    {
        var s = group.Snapshot();
        // Open, half-open or isolated, for whatever reason: an operator's isolation or a state adopted from a coordinator
        // takes no slot (docs/groups.md), so this can exceed the slots; the dashboard shows both.
        int rejecting = s.Members.Count(m => m.State is BreakerState.Open or BreakerState.HalfOpen or BreakerState.Isolated);
        return new(s.Name, s.IsPanicking, s.PanicSince, s.HealthyMembers, s.OpenMembers, s.MaxOpen, rejecting, s.WouldHaveOpened, s.Ejections,
            Rate(s.MeanSuccessRate), Rate(s.OutlierThreshold), s.LastEvaluatedAt, s.Members.Select(BreakerGroupMemberView.From).ToArray());
    }

    /// <summary>Every group of <paramref name="registry"/>, ordered by name.</summary>
    internal static BreakerGroupView[] ListOf(CircuitBreakerRegistry registry) =>
        registry.Groups.OrderBy(g => g.Name, StringComparer.Ordinal).Select(From).ToArray();

    internal static double? Rate(double rate) => double.IsNaN(rate) ? null : rate;
}

/// <summary>One member of a <see cref="BreakerGroupView"/> (<see cref="BreakerGroupMemberStatus"/>).</summary>
internal sealed record BreakerGroupMemberView(
    string Key,
    string Name,
    string State,
    bool Healthy,
    bool Ejected,
    bool HoldsOpenSlot,
    double? HeldClosedForMs,
    long WouldHaveOpened,
    long Ejections,
    long IntervalCalls,
    double? IntervalSuccessRate)
{
    internal static BreakerGroupMemberView From(BreakerGroupMemberStatus m) =>
        new(m.Key, m.Name, StateNames.Of(m.State), m.IsHealthy, m.IsEjected, m.HoldsOpenSlot, m.HeldClosedFor?.TotalMilliseconds,
            m.WouldHaveOpened, m.Ejections, m.IntervalCalls, BreakerGroupView.Rate(m.IntervalSuccessRate));
}
