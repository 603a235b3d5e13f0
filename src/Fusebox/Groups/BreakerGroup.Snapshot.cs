namespace Fusebox;

// Reading the group: a snapshot for reports and dashboards. Allocates; not meant for every call.
public sealed partial class BreakerGroup
{
    /// <summary>Reads the group's state, counts and every member's standing.</summary>
    public BreakerGroupSnapshot Snapshot()
    {
        var members = Volatile.Read(ref _members);
        long now = Now();
        var statuses = new BreakerGroupMemberStatus[members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            var seat = members[i];
            var state = seat.Breaker.State;
            long heldUntil = Volatile.Read(ref seat.HeldUntil);
            long heldFor = now < heldUntil ? heldUntil - now : 0; // never refused: long.MinValue, which must not be subtracted from
            statuses[i] = new BreakerGroupMemberStatus
            {
                Key = seat.Key,
                Name = seat.Breaker.Name,
                State = state,
                IsHealthy = state is BreakerState.Closed or BreakerState.Disabled && heldFor == 0,
                IsEjected = seat.Breaker.IsEjectedOutlier,
                HoldsOpenSlot = Volatile.Read(ref seat.SlotGeneration) != GroupSeat.NoSlot,
                HeldClosedFor = heldFor > 0 ? TimeSpan.FromTicks(heldFor) : null,
                WouldHaveOpened = Interlocked.Read(ref seat.WouldHaveOpened),
                Ejections = Interlocked.Read(ref seat.Ejections),
                IntervalCalls = seat.IntervalCalls,
                IntervalSuccessRate = seat.IntervalSuccessRate,
            };
        }

        return new BreakerGroupSnapshot
        {
            Name = Name,
            IsPanicking = _panicking,
            PanicSince = _panicSince,
            HealthyMembers = Volatile.Read(ref _healthyMembers),
            OpenMembers = OpenCount,
            MaxOpen = MaxOpenFor(members.Length),
            WouldHaveOpened = Interlocked.Read(ref _wouldHaveOpened),
            Ejections = Interlocked.Read(ref _ejections),
            MeanSuccessRate = _meanSuccessRate,
            OutlierThreshold = _outlierThreshold,
            LastEvaluatedAt = _lastEvaluatedAt,
            Members = statuses,
        };
    }
}
