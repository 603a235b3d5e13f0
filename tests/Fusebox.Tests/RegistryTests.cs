using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests;

public class RegistryTests
{
    [Fact]
    public void GetOrAdd_returns_the_same_breaker_per_name()
    {
        using var registry = new CircuitBreakerRegistry();

        var a = registry.GetOrAdd("fraud-service");
        var b = registry.GetOrAdd("fraud-service");
        var c = registry.GetOrAdd("inventory-service");

        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.Equal(2, registry.Count);
    }

    [Fact]
    public void Names_are_case_sensitive()
    {
        using var registry = new CircuitBreakerRegistry();

        Assert.NotSame(registry.GetOrAdd("svc"), registry.GetOrAdd("SVC"));
    }

    [Fact]
    public void GetOrAdd_uses_the_default_options_or_the_given_ones()
    {
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions
        {
            DefaultOptions = new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(7) },
        });

        var byDefault = registry.GetOrAdd("a");
        var custom = registry.GetOrAdd("b", new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(9) });
        var existing = registry.GetOrAdd("b", new CircuitBreakerOptions { BreakDuration = TimeSpan.FromSeconds(99) });

        Assert.Equal(TimeSpan.FromSeconds(7), byDefault.Options.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(9), custom.Options.BreakDuration);
        Assert.Same(custom, existing);
    }

    [Fact]
    public void OptionsFor_gives_per_name_options_and_null_falls_back_to_the_defaults()
    {
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions
        {
            OptionsFor = name => name == "slow-dependency" ? new CircuitBreakerOptions { BreakDuration = TimeSpan.FromMinutes(2) } : null,
        });

        Assert.Equal(TimeSpan.FromMinutes(2), registry.GetOrAdd("slow-dependency").Options.BreakDuration);
        Assert.Equal(TimeSpan.FromSeconds(30), registry.GetOrAdd("other").Options.BreakDuration);
    }

    [Fact]
    public void Breakers_get_the_registry_clock()
    {
        var time = new FakeTimeProvider();
        using var registry = new CircuitBreakerRegistry(timeProvider: time);
        var breaker = registry.GetOrAdd("svc");
        for (int i = 0; i < 5; i++)
        {
            Assert.True(breaker.TryAcquire(out var p));
            p.RecordFailure();
        }

        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Same(time, breaker.TimeProvider);
        Assert.True(breaker.TryAcquire(out _));
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
    }

    [Fact]
    public async Task Exactly_one_breaker_is_created_per_name_under_a_race()
    {
        using var registry = new CircuitBreakerRegistry();
        for (int round = 0; round < 200; round++)
        {
            string name = "svc-" + round;
            using var start = new ManualResetEventSlim();
            var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            {
                start.Wait();
                return registry.GetOrAdd(name);
            })).ToArray();
            start.Set();
            var got = await Task.WhenAll(tasks);

            Assert.All(got, b => Assert.Same(got[0], b));
        }

        Assert.Equal(200, registry.Count);
        Assert.Equal(200, registry.Breakers.Select(b => b.Name).Distinct().Count());
    }

    [Fact]
    public void Report_lists_every_breaker_ordered_by_name()
    {
        using var registry = new CircuitBreakerRegistry();
        registry.GetOrAdd("shipping-service");
        registry.GetOrAdd("fraud-service").Isolate();
        registry.GetOrAdd("inventory-service");

        var report = registry.Report();

        Assert.Equal(["fraud-service", "inventory-service", "shipping-service"], report.Select(r => r.Name));
        Assert.Equal([BreakerState.Isolated, BreakerState.Closed, BreakerState.Closed], report.Select(r => r.State));
    }

    [Fact]
    public void TryGet_and_Remove()
    {
        using var registry = new CircuitBreakerRegistry();
        var breaker = registry.GetOrAdd("svc");

        Assert.True(registry.TryGet("svc", out var found));
        Assert.Same(breaker, found);
        Assert.False(registry.TryGet("other", out _));
        Assert.True(registry.Remove("svc"));
        Assert.False(registry.Remove("svc"));
        Assert.False(registry.TryGet("svc", out _));
        Assert.NotSame(breaker, registry.GetOrAdd("svc"));
    }

    [Fact]
    public void A_full_registry_refuses_new_names_with_a_clear_message()
    {
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { MaxBreakers = 2 });
        registry.GetOrAdd("a");
        registry.GetOrAdd("b");

        var ex = Assert.Throws<InvalidOperationException>(() => registry.GetOrAdd("c"));

        Assert.Contains("MaxBreakers = 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'c'", ex.Message, StringComparison.Ordinal);
        Assert.Same(registry.GetOrAdd("a"), registry.GetOrAdd("a")); // existing names still resolve
    }

    [Fact]
    public void Idle_closed_breakers_are_evicted_busy_and_open_ones_are_kept()
    {
        var time = new FakeTimeProvider();
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { EvictAfterIdle = TimeSpan.FromMinutes(10) }, time);
        var idle = registry.GetOrAdd("idle");
        var busy = registry.GetOrAdd("busy");
        var open = registry.GetOrAdd("open");
        open.Isolate();

        for (int minute = 0; minute < 12; minute++)
        {
            busy.Execute(_ => 1);
            time.Advance(TimeSpan.FromMinutes(1));
            registry.EvictIdle();
        }

        Assert.False(registry.TryGet("idle", out _));
        Assert.True(registry.TryGet("busy", out _));
        Assert.True(registry.TryGet("open", out _));
        Assert.Equal(BreakerState.Closed, idle.State); // evicted breakers still work for holders
        Assert.Equal(1, idle.Execute(_ => 1));
    }

    [Fact]
    public void A_full_registry_makes_room_by_evicting_idle_breakers()
    {
        var time = new FakeTimeProvider();
        var idle = TimeSpan.FromMinutes(1);
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { MaxBreakers = 100, EvictAfterIdle = idle }, time);

        // hostile input: an unbounded stream of names, one call each, 20 new names a minute; every add must succeed
        var addedAt = new Dictionary<string, DateTimeOffset>();
        for (int i = 0; i < 10_000; i++)
        {
            string name = "host-" + i;
            registry.GetOrAdd(name).Execute(_ => 1);
            addedAt[name] = time.GetUtcNow();
            if (i % 10 == 0)
            {
                time.Advance(TimeSpan.FromSeconds(30));
            }
        }

        // Kept: every breaker called less than EvictAfterIdle ago. Gone: every one idle for well over that (eviction
        // takes two looks one EvictAfterIdle apart, so up to about twice it), long before the cap would have forced it.
        var now = time.GetUtcNow();
        var recent = addedAt.Where(a => now - a.Value < idle).Select(a => a.Key).ToArray();
        var stale = addedAt.Where(a => now - a.Value >= 3 * idle).Select(a => a.Key).ToArray();
        Assert.NotEmpty(recent);
        Assert.All(recent, n => Assert.True(registry.TryGet(n, out _), $"{n} was evicted though called less than EvictAfterIdle ago"));
        Assert.All(stale, n => Assert.False(registry.TryGet(n, out _), $"{n} was kept though idle for 3 x EvictAfterIdle"));
        Assert.True(registry.Count < 100, $"{registry.Count} breakers: the registry filled up instead of evicting idle ones");
    }

    [Fact]
    public void Registry_forwards_state_changes_of_its_breakers()
    {
        using var registry = new CircuitBreakerRegistry();
        var seen = new List<string>();
        registry.StateChanged += (_, e) => seen.Add($"{e.BreakerName}:{e.NewState}");

        registry.GetOrAdd("a").Isolate();
        registry.GetOrAdd("b").Disable();
        registry.Remove("a");
        registry.GetOrAdd("b").Reset();

        Assert.Equal(["a:Isolated", "b:Disabled", "b:Closed"], seen);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void GetOrAdd_rejects_empty_names(string? name)
    {
        using var registry = new CircuitBreakerRegistry();

        Assert.ThrowsAny<ArgumentException>(() => registry.GetOrAdd(name!));
    }
}
