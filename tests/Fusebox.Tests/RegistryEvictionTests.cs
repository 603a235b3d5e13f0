using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests;

/// <summary>
/// The registry's idle eviction under failing and hostile hosts: which breakers count as idle, that a full registry
/// of them does not lock new names out, and that an add does a bounded amount of sweep work at any size.
/// </summary>
public class RegistryEvictionTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromMinutes(10);

    private static CircuitBreakerRegistry Registry(FakeTimeProvider time, int? maxBreakers = null, TimeSpan? idle = null,
        CircuitBreakerOptions? defaults = null) =>
        new(new CircuitBreakerRegistryOptions
        {
            EvictAfterIdle = idle ?? Idle,
            MaxBreakers = maxBreakers,
            DefaultOptions = defaults ?? new CircuitBreakerOptions(),
        }, time);

    /// <summary>Advances the clock a minute at a time, sweeping after each, until <paramref name="name"/> is gone.</summary>
    /// <returns>Minutes until it was evicted; null if it was still there after <paramref name="limit"/> minutes.</returns>
    private static int? MinutesUntilEvicted(CircuitBreakerRegistry registry, FakeTimeProvider time, string name, int limit)
    {
        for (int minute = 1; minute <= limit; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            registry.EvictIdle();
            if (!registry.TryGet(name, out _))
            {
                return minute;
            }
        }

        return null;
    }

    [Fact]
    public void An_open_breaker_whose_break_is_over_and_that_nobody_calls_is_evicted_and_its_name_can_be_added_again()
    {
        var time = new FakeTimeProvider();
        using var registry = Registry(time);
        var down = registry.GetOrAdd("down-host");
        down.Trip(); // open, 30 s break; never called again

        int? evictedAfter = MinutesUntilEvicted(registry, time, "down-host", 60);

        // Never sooner than EvictAfterIdle after its last call; within twice that (two looks, one idle apart).
        Assert.NotNull(evictedAfter);
        Assert.InRange(evictedAfter.Value, 10, 20);
        var again = registry.GetOrAdd("down-host");
        Assert.NotSame(down, again);
        Assert.Equal(BreakerState.Closed, again.State);
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public void An_open_breaker_is_kept_while_its_break_runs_and_evicted_once_it_is_over()
    {
        var time = new FakeTimeProvider();
        using var registry = Registry(time, defaults: new CircuitBreakerOptions { BreakDuration = TimeSpan.FromMinutes(60) });
        registry.GetOrAdd("down-host").Trip();

        Assert.Null(MinutesUntilEvicted(registry, time, "down-host", 59)); // idle for 59 minutes, but within its break

        int? evictedAfter = MinutesUntilEvicted(registry, time, "down-host", 60);
        Assert.NotNull(evictedAfter);
        Assert.InRange(evictedAfter.Value, 1, 11); // the break ends at minute 60; the next look after that evicts it
    }

    [Fact]
    public void Hostile_names_filling_MaxBreakers_do_not_lock_out_new_names_once_idle()
    {
        var time = new FakeTimeProvider();
        var idle = TimeSpan.FromMinutes(1);
        using var registry = Registry(time, maxBreakers: 100, idle: idle);
        for (int i = 0; i < 100; i++)
        {
            registry.GetOrAdd("attacker-" + i).Trip(); // failing hosts: every one open
        }

        Assert.Throws<InvalidOperationException>(() => registry.GetOrAdd("legit-early")); // nothing is idle yet

        // A new legitimate host every 10 s for 5 minutes, each used at once.
        var firstAdmitted = default(TimeSpan?);
        var elapsed = TimeSpan.Zero;
        for (int step = 0; step < 30; step++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            elapsed += TimeSpan.FromSeconds(10);
            try
            {
                registry.GetOrAdd("legit-" + step).Execute(_ => 1);
                firstAdmitted ??= elapsed;
            }
            catch (InvalidOperationException) when (firstAdmitted is null)
            {
                // until the attackers' breakers have been seen idle; never again afterwards (the filter rethrows)
            }
        }

        // Seen idle once two looks one EvictAfterIdle apart found their counts unchanged: by 2 x idle plus a step.
        Assert.NotNull(firstAdmitted);
        Assert.InRange(firstAdmitted.Value, idle, (2 * idle) + TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void A_breaker_with_calls_is_never_evicted_whatever_its_state()
    {
        var time = new FakeTimeProvider();
        using var registry = Registry(time, maxBreakers: 50);
        var healthy = registry.GetOrAdd("healthy");
        var failing = registry.GetOrAdd("failing");
        failing.Trip();

        for (int minute = 0; minute < 180; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            if (minute % 9 == 0)
            {
                healthy.Execute(_ => 1);
                _ = failing.TryExecute<int>(_ => throw new TimeoutException()); // rejected, or a probe that fails
            }

            try
            {
                registry.GetOrAdd("churn-" + minute); // adds drive the sweep, and keep the registry full
            }
            catch (InvalidOperationException)
            {
                // full of breakers not idle yet: fine here
            }

            registry.EvictIdle();
            Assert.True(registry.TryGet("healthy", out var h) && ReferenceEquals(h, healthy), $"healthy evicted at minute {minute}");
            Assert.True(registry.TryGet("failing", out var f) && ReferenceEquals(f, failing), $"failing evicted at minute {minute}");
        }

        Assert.NotEqual(BreakerState.Closed, failing.State);
    }

    [Fact]
    public void Isolated_and_disabled_breakers_are_kept_however_long_they_are_idle()
    {
        var time = new FakeTimeProvider();
        using var registry = Registry(time);
        registry.GetOrAdd("isolated").Isolate();
        registry.GetOrAdd("disabled").Disable();

        Assert.Null(MinutesUntilEvicted(registry, time, "isolated", 120));
        Assert.True(registry.TryGet("disabled", out _));
    }

    [Fact]
    public void A_half_open_breaker_is_kept_while_a_probe_is_in_flight_and_evicted_once_none_is()
    {
        var time = new FakeTimeProvider();
        using var registry = Registry(time, defaults: new CircuitBreakerOptions { ProbeTimeout = TimeSpan.FromDays(1) });
        var breaker = registry.GetOrAdd("recovering");
        breaker.Trip();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(breaker.TryAcquire(out var probe)); // the probe that half-opens it; it hangs for an hour
        Assert.Equal(BreakerState.HalfOpen, breaker.State);

        Assert.Null(MinutesUntilEvicted(registry, time, "recovering", 60));

        probe.RecordSuccess(); // 1 of 3 successes: still half-open, with no probe in flight
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        int? evictedAfter = MinutesUntilEvicted(registry, time, "recovering", 60);
        Assert.NotNull(evictedAfter);
        Assert.InRange(evictedAfter.Value, 10, 20);
    }

    [Theory]
    [InlineData(false)] // every breaker added just now: none is due
    [InlineData(true)] // every breaker called since it was added, and a full EvictAfterIdle passed: all due, all busy
    public void Adding_to_a_full_registry_examines_a_bounded_number_of_entries(bool allDueAndBusy)
    {
        const int size = 5_000;
        var time = new FakeTimeProvider();
        using var registry = Registry(time, maxBreakers: size);
        for (int i = 0; i < size; i++)
        {
            var breaker = registry.GetOrAdd("host-" + i);
            if (allDueAndBusy)
            {
                breaker.Execute(_ => 1);
            }
        }

        if (allDueAndBusy)
        {
            time.Advance(Idle);
        }

        int attempts = (size / CircuitBreakerRegistry.MaxExaminedPerAdd) + 10;
        for (int i = 0; i < attempts; i++)
        {
            long before = registry.EntriesExamined;
            Assert.Throws<InvalidOperationException>(() => registry.GetOrAdd("new-" + i));
            Assert.InRange(registry.EntriesExamined - before, 0, CircuitBreakerRegistry.MaxExaminedPerAdd);
        }

        // The refused adds still moved the sweep on: each busy breaker was looked at once and went to the back, so one
        // EvictAfterIdle later the first of them (no call since) is idle and a new name gets its slot.
        Assert.Equal(allDueAndBusy ? size : 0, registry.EntriesExamined);
        time.Advance(Idle);
        Assert.Equal("late", registry.GetOrAdd("late").Name);
        Assert.False(registry.TryGet("host-0", out _));
    }

    [Fact]
    public void A_full_registry_with_breakers_going_idle_one_by_one_evicts_one_per_add_looking_at_few()
    {
        const int size = 5_000;
        var time = new FakeTimeProvider();
        var step = Idle / size;
        using var registry = Registry(time, maxBreakers: size);
        for (int i = 0; i < size; i++)
        {
            registry.GetOrAdd("host-" + i);
            time.Advance(step);
        }

        for (int i = 0; i < size; i++)
        {
            long before = registry.EntriesExamined;
            registry.GetOrAdd("new-" + i);
            Assert.Equal(1, registry.EntriesExamined - before); // the oldest, idle since one step ago; the next is not due
            Assert.False(registry.TryGet("host-" + i, out _));
            time.Advance(step);
        }

        Assert.Equal(size, registry.Count);
    }

    [Fact]
    public void A_call_on_a_breaker_fetched_just_before_its_eviction_goes_to_that_breaker_and_the_name_gets_a_fresh_one()
    {
        // The interleaving a lock-free lookup allows: lookup, then eviction, then the caller's call.
        var time = new FakeTimeProvider();
        using var registry = Registry(time);
        registry.GetOrAdd("svc");
        time.Advance(Idle);
        var fetched = registry.GetOrAdd("svc"); // an existing name: a dictionary read, no sweep

        Assert.Equal(1, registry.EvictIdle());
        Assert.Equal(1, fetched.Execute(_ => 1)); // still works for its holder

        var fresh = registry.GetOrAdd("svc");
        Assert.NotSame(fetched, fresh);
        Assert.Equal(0, fresh.Snapshot().SuccessfulCalls); // the late call did not land on the new breaker
        Assert.Same(fresh, Assert.Single(registry.Breakers));
    }

    [Fact]
    public void Removed_and_re_added_names_keep_the_sweep_consistent()
    {
        var time = new FakeTimeProvider();
        using var registry = Registry(time);
        registry.GetOrAdd("a");
        registry.GetOrAdd("b");
        registry.GetOrAdd("c");
        Assert.True(registry.Remove("b"));
        Assert.True(registry.Remove("a"));
        time.Advance(TimeSpan.FromMinutes(5));
        var b = registry.GetOrAdd("b");

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, registry.EvictIdle()); // c, idle for 10 minutes; b only for 5
        Assert.True(registry.TryGet("b", out var found) && ReferenceEquals(found, b));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, registry.EvictIdle());
        Assert.Equal(0, registry.Count);
        Assert.Equal(0, registry.EvictIdle());
    }
}
