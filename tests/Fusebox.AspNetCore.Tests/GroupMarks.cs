namespace Fusebox.AspNetCore.Tests;

/// <summary>A breaker group of a registry in a known state, for the API and dashboard tests of groups.</summary>
internal static class GroupMarks
{
    /// <summary>
    /// The group "inventory" of six members (cap: one open member) where "a" succeeded on half of its 100 calls and
    /// the others on all of theirs, so that the evaluation ejects "a" as an outlier (rate 0.5 below the threshold of
    /// about 0.56) and "a" takes the only open slot; then "b" fails 20 times in a row, and the cap refuses its
    /// opening: "would have opened", held closed for the break (30 s). Four of six are healthy: no panic.
    /// </summary>
    public static BreakerGroup GroupWithAnOutlierAndARefusedTrip(this CircuitBreakerRegistry registry)
    {
        var group = new BreakerGroup("inventory", registry, new BreakerGroupOptions
        {
            MemberOptions = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(20), BreakDuration = TimeSpan.FromSeconds(30) },
            EvaluationInterval = TimeSpan.FromHours(1), // the test evaluates when it means to
        });
        foreach (string key in new[] { "a", "b", "c", "d", "e", "f" })
        {
            var member = group.GetOrAdd(key);
            for (int i = 0; i < 100; i++)
            {
                Assert.True(member.TryAcquire(out var permit));
                if (key == "a" && i % 2 == 0)
                {
                    permit.RecordFailure();
                }
                else
                {
                    permit.RecordSuccess();
                }
            }
        }

        group.Evaluate();
        group.GetOrAdd("b").FailTimes(20);
        var s = group.Snapshot();
        Assert.Equal((1, 1, 1L, 1L, 4, false), (s.OpenMembers, s.MaxOpen, s.Ejections, s.WouldHaveOpened, s.HealthyMembers, s.IsPanicking));
        return group;
    }

    /// <summary>Fails two more members of <see cref="GroupWithAnOutlierAndARefusedTrip"/> past the cap: two of six
    /// healthy, below the panic threshold of 50 %, so the group panics.</summary>
    public static void FailUntilPanic(this BreakerGroup group)
    {
        group.GetOrAdd("c").FailTimes(20);
        group.GetOrAdd("d").FailTimes(20);
        Assert.True(group.IsPanicking);
    }
}
