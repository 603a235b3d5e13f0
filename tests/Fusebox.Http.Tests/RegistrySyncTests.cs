using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Http.Tests;

/// <summary>The handler's breakers are the registry's: what an operator finds by name is what requests go through,
/// and the handler holds on to no more breakers than the registry could still hand out.</summary>
public class RegistrySyncTests : OneServerTests
{
    private static readonly Dictionary<string, string?> Evicting = new() { ["Fusebox:EvictAfterIdle"] = "00:01:00" };

    [Fact]
    public async Task Isolating_a_host_after_its_breaker_was_evicted_stops_its_requests()
    {
        using var fixture = new ClientFixture(settings: Evicting);
        var client = fixture.Client; // one handler for the whole test: its cache is what is under test
        var url = new Uri(Server.BaseAddress, "x");
        using (var _ = await client.GetAsync(url))
        {
        }

        EvictEverything(fixture.Registry, fixture.Time);
        fixture.BreakerFor(Server.BaseAddress).Isolate(); // what the admin API does: look the breaker up by name

        await Assert.ThrowsAsync<CircuitOpenException>(() => client.GetAsync(url));
        Assert.Equal(1, Server.Requests);
    }

    [Fact]
    public async Task A_removed_and_recreated_breaker_is_the_one_requests_use()
    {
        using var fixture = new ClientFixture();
        var client = fixture.Client;
        var url = new Uri(Server.BaseAddress, "x");
        using (var _ = await client.GetAsync(url))
        {
        }

        string name = fixture.BreakerFor(Server.BaseAddress).Name;
        Assert.True(fixture.Registry.Remove(name));
        using (var _ = await client.GetAsync(url))
        {
        }

        Assert.True(fixture.Registry.TryGet(name, out var current));
        Assert.Equal(1, current.Snapshot().SuccessfulCalls);
    }

    [Fact]
    public async Task The_handler_keeps_no_more_hosts_than_twice_the_registrys_capacity()
    {
        var time = new FakeTimeProvider();
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { MaxBreakers = 1000, EvictAfterIdle = TimeSpan.FromMinutes(1) }, time);
        var inner = new OkHandler();
        var handler = new FuseboxHttpHandler(registry, new FuseboxHttpHandlerOptions { BreakerName = "svc" }) { InnerHandler = inner };
        using var invoker = new HttpMessageInvoker(handler);

        for (int batch = 0; batch < 5; batch++) // 5,000 hosts, 1,000 at a time, the registry emptied between batches
        {
            for (int i = 0; i < 1000; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://h{batch}-{i}.test/");
                using var _ = await invoker.SendAsync(request, CancellationToken.None);
                Assert.True(handler.CachedKeys <= 2000, $"{handler.CachedKeys} hosts cached, {registry.Count} breakers in the registry");
            }

            EvictEverything(registry, time);
        }

        Assert.Equal(5000, inner.Calls);

    }

    [Fact]
    public async Task Requests_racing_removals_settle_on_the_registrys_breaker()
    {
        // Drives the interleavings BreakerGuards describes: hits checked while the breaker is removed, refreshes of one
        // key racing each other and the removals. However they interleave, once the removals stop the next request
        // goes through the registry's breaker of the name, and the cache holds that one key.
        using var registry = new CircuitBreakerRegistry();
        var handler = new FuseboxHttpHandler(registry, new FuseboxHttpHandlerOptions { BreakerName = "svc" }) { InnerHandler = new OkHandler() };
        using var invoker = new HttpMessageInvoker(handler);
        using var stop = new CancellationTokenSource();
        var remover = Task.Run(() =>
        {
            for (int i = 0; i < 1_000_000 && !stop.IsCancellationRequested; i++)
            {
                registry.Remove("svc/http://svc.test:80");
            }
        });
        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (int i = 0; i < 2000; i++)
            {
                using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://svc.test/"), CancellationToken.None);
            }
        })).ToArray();
        await Task.WhenAll(senders);
        await stop.CancelAsync();
        await remover;

        using (var _ = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://svc.test/"), CancellationToken.None))
        {
        }

        Assert.True(registry.TryGet("svc/http://svc.test:80", out var current));
        Assert.Same(current, handler.BreakerFor(new HttpRequestMessage(HttpMethod.Get, "http://svc.test/")));
        Assert.True(current.Snapshot().SuccessfulCalls >= 1);
        Assert.Equal(1, handler.CachedKeys);
    }

    /// <summary>An entry goes after two looks an idle period apart that saw the same call count (the registry's rule).</summary>
    private static void EvictEverything(CircuitBreakerRegistry registry, FakeTimeProvider time)
    {
        time.Advance(TimeSpan.FromMinutes(1.5));
        registry.EvictIdle();
        time.Advance(TimeSpan.FromMinutes(1.5));
        registry.EvictIdle();
        Assert.Equal(0, registry.Count);
    }
}
