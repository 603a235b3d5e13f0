using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace Fusebox.Polly.Tests;

public class StrategyTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Trips_rejects_with_Pollys_BrokenCircuitException_and_RetryAfter_then_probes_and_closes()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "payments").Build();

        Assert.IsType<TimeoutException>(await TestBreakers.FailAsync(pipeline));
        Assert.IsType<TimeoutException>(await TestBreakers.FailAsync(pipeline));
        _time.Advance(TimeSpan.FromSeconds(4));

        var (ran, error) = await TestBreakers.SucceedAsync(pipeline);

        Assert.Equal(0, ran); // rejected without running the operation
        var rejection = Assert.IsType<BrokenCircuitException>(error);
        Assert.Equal(TimeSpan.FromSeconds(6), rejection.RetryAfter);
        Assert.Contains("'payments'", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(BreakerState.Open, registry.GetOrAdd("payments").State);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal((1, (Exception?)null), await TestBreakers.SucceedAsync(pipeline));
        Assert.Equal(BreakerState.Closed, registry.GetOrAdd("payments").State);
    }

    [Fact]
    public async Task An_isolated_breaker_rejects_with_IsolatedCircuitException()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "payments").Build();
        registry.GetOrAdd("payments").Isolate();

        var (ran, error) = await TestBreakers.SucceedAsync(pipeline);

        Assert.Equal(0, ran);
        Assert.Null(Assert.IsType<IsolatedCircuitException>(error).RetryAfter);
    }

    [Fact]
    public async Task A_half_open_breaker_with_its_probe_slot_taken_rejects_without_RetryAfter()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "payments").Build();
        await TestBreakers.FailAsync(pipeline);
        await TestBreakers.FailAsync(pipeline);
        _time.Advance(TestBreakers.Break);
        var probeRunning = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var probe = pipeline.ExecuteAsync(async _ => { probeRunning.SetResult(); await release.Task; }).AsTask();
        await probeRunning.Task;

        var (ran, error) = await TestBreakers.SucceedAsync(pipeline);

        Assert.Equal(0, ran);
        var rejection = Assert.IsType<BrokenCircuitException>(error);
        Assert.Null(rejection.RetryAfter);
        Assert.Contains("half-open", rejection.Message, StringComparison.Ordinal);
        release.SetResult();
        await probe;
        Assert.Equal(BreakerState.Closed, registry.GetOrAdd("payments").State);
    }

    [Fact]
    public async Task RejectWith_CircuitOpenException_throws_Fuseboxs_own_exception()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { Registry = registry, BreakerName = "payments", RejectWith = FuseboxRejection.CircuitOpenException })
            .Build();
        await TestBreakers.FailAsync(pipeline);
        await TestBreakers.FailAsync(pipeline);

        var (_, error) = await TestBreakers.SucceedAsync(pipeline);

        var rejection = Assert.IsType<CircuitOpenException>(error);
        Assert.Equal("payments", rejection.BreakerName);
        Assert.Equal(BreakerState.Open, rejection.State);
        Assert.Equal(TestBreakers.Break, rejection.RetryAfter);
    }

    [Fact]
    public async Task A_PredicateBuilder_ShouldHandle_decides_what_counts_in_a_typed_pipeline()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions<int>
            {
                Registry = registry,
                BreakerName = "codes",
                ShouldHandle = new PredicateBuilder<int>().HandleResult(code => code >= 500).Handle<TimeoutException>(),
            })
            .Build();

        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync<int>(static _ => throw new InvalidOperationException("not handled")).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync<int>(static _ => throw new InvalidOperationException("not handled")).AsTask());
        Assert.Equal(BreakerState.Closed, registry.GetOrAdd("codes").State);
        Assert.Equal(2, registry.GetOrAdd("codes").Snapshot().SuccessfulCalls); // an unhandled outcome: the dependency answered

        Assert.Equal(503, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(503)));
        Assert.Equal(503, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(503)));

        Assert.Equal(BreakerState.Open, registry.GetOrAdd("codes").State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(static _ => ValueTask.FromResult(200)).AsTask());
    }

    [Fact]
    public async Task The_non_generic_ShouldHandle_sees_results_as_objects()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions
            {
                Registry = registry,
                BreakerName = "any",
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is -1),
            })
            .Build();

        Assert.Equal(-1, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(-1)));
        Assert.Equal("fine", await pipeline.ExecuteAsync(static _ => ValueTask.FromResult("fine")));
        Assert.Equal(-1, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(-1)));

        // ConsecutiveFailures(2): the string between the two -1 results reset the count.
        Assert.Equal(BreakerState.Closed, registry.GetOrAdd("any").State);
        Assert.Equal(-1, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(-1)));
        Assert.Equal(BreakerState.Open, registry.GetOrAdd("any").State);
    }

    [Fact]
    public async Task Without_ShouldHandle_the_breakers_own_rules_classify()
    {
        var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions
        {
            DefaultOptions = new CircuitBreakerOptions
            {
                TripPolicy = TripPolicy.ConsecutiveFailures(2),
                ShouldHandleException = ex => ex is not ArgumentException,
                ShouldHandleResult = ResultPredicate.Handle<int>(code => code >= 500),
            },
        }, _time);
        var pipeline = new ResiliencePipelineBuilder<int>().AddFuseboxCircuitBreaker(registry, "rules").Build();

        await Assert.ThrowsAsync<ArgumentException>(() => pipeline.ExecuteAsync<int>(static _ => throw new ArgumentException("caller's bug")).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => pipeline.ExecuteAsync<int>(static _ => throw new ArgumentException("caller's bug")).AsTask());
        Assert.Equal(BreakerState.Closed, registry.GetOrAdd("rules").State);

        await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(500));
        await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(502));
        Assert.Equal(BreakerState.Open, registry.GetOrAdd("rules").State);
    }

    [Fact]
    public async Task A_throwing_ShouldHandle_counts_a_failure_and_the_caller_keeps_its_outcome()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions<int>
            {
                Registry = registry,
                BreakerName = "faulty",
                ShouldHandle = _ => throw new InvalidOperationException("predicate bug"),
            })
            .Build();

        Assert.Equal(7, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(7)));

        Assert.Equal(1, registry.GetOrAdd("faulty").Snapshot().FailedCalls);
    }

    [Fact]
    public async Task The_name_selector_picks_a_breaker_per_call_from_the_context()
    {
        var registry = TestBreakers.Registry(_time);
        var tenant = new ResiliencePropertyKey<string>("tenant");
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions
            {
                Registry = registry,
                BreakerNameSelector = context => "tenant-" + context.Properties.GetValue(tenant, "none"),
            })
            .Build();

        async Task<Outcome<int>> CallAsync(string name, bool fail)
        {
            var context = ResilienceContextPool.Shared.Get();
            context.Properties.Set(tenant, name);
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static (_, fail) => ValueTask.FromResult(fail ? Outcome.FromException<int>(new TimeoutException()) : Outcome.FromResult(1)), context, fail);
            ResilienceContextPool.Shared.Return(context);
            return outcome;
        }

        await CallAsync("a", fail: true);
        await CallAsync("a", fail: true);

        Assert.IsType<BrokenCircuitException>((await CallAsync("a", fail: false)).Exception);
        Assert.Equal(1, (await CallAsync("b", fail: false)).Result);
        Assert.Equal(BreakerState.Open, registry.GetOrAdd("tenant-a").State);
        Assert.Equal(BreakerState.Closed, registry.GetOrAdd("tenant-b").State);
    }

    [Fact]
    public async Task A_selector_returning_an_empty_name_ends_the_call_with_an_exception_naming_the_option()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { Registry = TestBreakers.Registry(_time), BreakerNameSelector = _ => "" })
            .Build();

        var (ran, error) = await TestBreakers.SucceedAsync(pipeline);

        Assert.Equal(0, ran);
        Assert.Contains("BreakerNameSelector", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_full_registry_ends_a_call_for_a_new_name_with_its_exception_and_does_not_run_it()
    {
        var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { MaxBreakers = 1 }, _time);
        registry.GetOrAdd("first");
        var pipeline = new ResiliencePipelineBuilder()
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { Registry = registry, BreakerNameSelector = _ => "second" })
            .Build();

        var (ran, error) = await TestBreakers.SucceedAsync(pipeline);

        Assert.Equal(0, ran);
        Assert.Contains("MaxBreakers = 1", Assert.IsType<InvalidOperationException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BreakerOptions_create_a_missing_breaker_and_leave_an_existing_one_alone()
    {
        var registry = TestBreakers.Registry(_time);
        var existing = registry.GetOrAdd("existing");
        var options = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1) };

        foreach (var name in new[] { "existing", "created" })
        {
            var pipeline = new ResiliencePipelineBuilder()
                .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { Registry = registry, BreakerName = name, BreakerOptions = options })
                .Build();
            await TestBreakers.FailAsync(pipeline);
        }

        Assert.Same(existing, registry.GetOrAdd("existing"));
        Assert.Equal(BreakerState.Closed, existing.State); // still its own ConsecutiveFailures(2)
        Assert.Equal(BreakerState.Open, registry.GetOrAdd("created").State);
    }
}
