using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests.Reconciliation;

/// <summary>The read schedule (which breakers a tick reads) and the change-log entry format, without Redis.</summary>
public sealed class ReadScheduleTests : IDisposable
{
    private readonly Meter _meter = new("Fusebox.Redis.Tests.ReadSchedule");
    private readonly CircuitBreakerRegistry _registry = new();

    [Fact]
    public void The_sweep_reads_every_breaker_exactly_once_per_sweep_interval_a_share_each_tick()
    {
        var schedule = new ReadSchedule(Context(sweep: TimeSpan.FromSeconds(1)));
        var all = Breakers(7);
        var reads = new int[all.Length];
        var perTick = new List<int>();
        for (long now = 0; now <= 1_000; now += 100) // the first plan only starts the clock: 10 ticks of 100 ms follow
        {
            schedule.Plan(all, _ => null, now);
            perTick.Add(all.Count(s => s.ReadDue));
            for (int i = 0; i < all.Length; i++)
            {
                reads[i] += all[i].ReadDue ? 1 : 0;
                all[i].ReadDue = false;
            }
        }

        Assert.All(reads, r => Assert.Equal(1, r));
        Assert.Equal([0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1], perTick); // ⌊7 × 100 × n / 1000⌋ - ⌊7 × 100 × (n - 1) / 1000⌋
        Assert.Equal(7, schedule.Swept);
    }

    [Fact]
    public void Logged_names_are_read_once_capped_per_tick_and_skipped_when_their_transition_is_known()
    {
        var schedule = new ReadSchedule(Context(sweep: TimeSpan.FromHours(1)));
        var all = Breakers(ReadSchedule.MaxLoggedReadsPerTick + 5);
        var byName = all.ToDictionary(s => s.Name);
        all[0].View = Views.View(BreakerState.Open, generation: 4);
        schedule.Add([new LoggedChange(all[0].Name, "e1", 4), new LoggedChange(all[1].Name, "e1", 2), new LoggedChange(all[1].Name, "e1", 3)]);
        schedule.ResyncAll(all[2..]); // every other breaker, whatever its state

        schedule.Plan(all, n => byName.GetValueOrDefault(n), now: 0);
        Assert.False(all[0].ReadDue); // generation 4 of epoch e1 is known already
        Assert.True(all[1].ReadDue); // named twice, read once
        Assert.Equal(ReadSchedule.MaxLoggedReadsPerTick, all.Count(s => s.ReadDue));

        foreach (var s in all)
        {
            s.ReadDue = false;
        }

        schedule.Plan(all, n => byName.GetValueOrDefault(n), now: 0);
        Assert.Equal(4, all.Count(s => s.ReadDue)); // the rest, at the next tick
        Assert.True(all[^1].ReadDue);
    }

    [Fact]
    public void A_change_log_entry_round_trips_and_malformed_or_own_entries_add_nothing()
    {
        LoggedChange[] changes = [new("payments", "e1", 7), new("orders", "e2", 0)];
        var found = new List<LoggedChange>();
        Assert.Null(ChangeLogEntry.Parse(new StreamEntry("1-0", ChangeLogEntry.Fields("other", changes)), "me", found));
        Assert.Equal(changes, found);

        found.Clear();
        Assert.Null(ChangeLogEntry.Parse(new StreamEntry("1-1", ChangeLogEntry.Fields("me", changes)), "me", found)); // its own replies carried them
        Assert.Empty(found);

        NameValueEntry[][] malformed =
        [
            [],
            [new("garbage", "1")],
            [new("w", "other"), new("n", "payments")],
            [new("w", "other"), new("n", "payments"), new("e", "e1"), new("g", "-3")],
            [new("w", "other"), new("n", ""), new("e", "e1"), new("g", "1")],
            [new("w", "other"), new("n", "payments"), new("g", "1"), new("e", "e1")],
        ];
        foreach (var fields in malformed)
        {
            Assert.NotNull(ChangeLogEntry.Parse(new StreamEntry("2-0", fields), "me", found));
        }

        Assert.Empty(found);
    }

    public void Dispose()
    {
        _registry.Dispose();
        _meter.Dispose();
    }

    private CoordinatorContext Context(TimeSpan sweep)
    {
        var options = new RedisStateOptions { SweepInterval = sweep, StateTimeToLive = TimeSpan.FromHours(4) };
        return new CoordinatorContext(options, "me", new CoordinatorClock(TimeProvider.System), NullLogger.Instance,
            new RedisStateMetrics(_meter, options.KeyPrefix, () => 0));
    }

    private SharedBreaker[] Breakers(int count) =>
        Enumerable.Range(0, count).Select(i => new SharedBreaker(_registry.GetOrAdd($"b{i:D4}"), SharingMode.Quorum, "p", fromRegistry: true)).ToArray();
}
