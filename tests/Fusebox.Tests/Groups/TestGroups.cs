using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Groups;

/// <summary>Groups on a fake clock with private metrics: members trip after 3 consecutive failures and break for 30 s.</summary>
internal static class TestGroups
{
    public static readonly TimeSpan Break = TimeSpan.FromSeconds(30);

    public static BreakerGroupOptions Options(Action<BreakerGroupOptions>? configure = null)
    {
        var options = new BreakerGroupOptions
        {
            MemberOptions = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(3), BreakDuration = Break, HalfOpenPermits = 1 },
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>A group with <paramref name="members"/> members keyed <c>m0</c>, <c>m1</c>, …</summary>
    public static (BreakerGroup Group, FakeTimeProvider Time, CircuitBreaker[] Members) Create(int members, BreakerGroupOptions? options = null)
    {
        var time = new FakeTimeProvider();
        var group = new BreakerGroup("pool", options ?? Options(), time, new FuseboxMetrics());
        var created = Enumerable.Range(0, members).Select(i => group.GetOrAdd($"m{i}")).ToArray();
        return (group, time, created);
    }

    public static void Calls(this CircuitBreaker member, int count, bool fail)
    {
        for (int i = 0; i < count; i++)
        {
            Assert.True(member.TryAcquire(out var permit), $"{member.Name} rejected a call in {member.State}");
            if (fail)
            {
                permit.RecordFailure();
            }
            else
            {
                permit.RecordSuccess();
            }
        }
    }

    /// <summary><paramref name="successes"/> successes and <paramref name="failures"/> failures, interleaved so that
    /// no three failures are consecutive when <paramref name="successes"/> is at least twice <paramref name="failures"/>.</summary>
    public static void Mixed(this CircuitBreaker member, int successes, int failures)
    {
        int total = successes + failures;
        for (int i = 0, failed = 0; i < total; i++)
        {
            bool fail = failed < failures && (long)i * failures / total >= failed;
            member.Calls(1, fail);
            failed += fail ? 1 : 0;
        }
    }
}
