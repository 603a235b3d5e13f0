// docs/testing.md, "Code that calls through a breaker" shows this file.

using Fusebox;
using Fusebox.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Testing.Tests.Guide;

// The code under test: stock levels from a store behind a breaker, "unknown" (null) while the breaker rejects calls.
public sealed class StockService(CircuitBreaker breaker, Func<string, CancellationToken, Task<int>> countInStore)
{
    public async Task<int?> StockAsync(string sku, CancellationToken cancellationToken = default)
    {
        var outcome = await breaker.TryExecuteAsync(ct => countInStore(sku, ct), cancellationToken);
        return outcome.IsRejected ? null : outcome.GetValueOrThrow();
    }
}

public class StockServiceTests
{
    [Fact]
    public async Task Answers_unknown_while_the_breaker_is_open_and_asks_the_store_again_after_the_break()
    {
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time);
        int storeCalls = 0;
        var service = new StockService(breaker, (sku, ct) => { storeCalls++; return Task.FromResult(7); });

        breaker.ForceOpen(TimeSpan.FromSeconds(5));

        Assert.Null(await service.StockAsync("sku-1"));
        Assert.Equal(0, storeCalls);                      // rejected: the store was not asked

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(7, await service.StockAsync("sku-1")); // the first call after the break is a probe
        Assert.Equal(1, storeCalls);
    }

    [Fact]
    public async Task Store_failures_open_the_breaker_and_good_probes_close_it()
    {
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time, o =>
        {
            o.TripPolicy = TripPolicy.ConsecutiveFailures(3);
            o.BreakDuration = TimeSpan.FromSeconds(30);
            o.HalfOpenPermits = 1;
        });
        using var transitions = new TransitionRecorder(breaker);
        bool storeDown = true;
        var service = new StockService(breaker, (sku, ct) =>
            storeDown ? Task.FromException<int>(new TimeoutException("store")) : Task.FromResult(7));

        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => service.StockAsync("sku-1"));
        }

        storeDown = false;
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(7, await service.StockAsync("sku-1"));

        transitions.AssertTransitions(BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed);
        Assert.Equal(TransitionReason.ConsecutiveFailures, transitions.Transitions[0].Reason);
    }
}
