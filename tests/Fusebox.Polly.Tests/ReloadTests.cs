using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;

namespace Fusebox.Polly.Tests;

/// <summary>
/// Real reloads through Polly.Extensions: pipelines registered with <c>AddResiliencePipeline</c> that call
/// <c>EnableReloads</c> on options bound to configuration, and a configuration reload. Polly rebuilds the pipeline and
/// disposes the old one's strategies; a Polly breaker's state goes with them, a Fusebox breaker's stays in its registry.
/// </summary>
public class ReloadTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly IConfigurationRoot _configuration = new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Pipelines:Version"] = "1" })
        .Build();

    private int _builds;

    [Fact]
    public async Task A_reload_discards_a_Polly_breakers_open_state_and_keeps_the_Fusebox_breakers()
    {
        var registry = TestBreakers.Registry(_time);
        await using var services = Services(registry);
        var pipelines = services.GetRequiredService<ResiliencePipelineProvider<string>>();
        var polly = pipelines.GetPipeline("polly");
        var fusebox = pipelines.GetPipeline("fusebox");
        for (int i = 0; i < 2; i++)
        {
            await TestBreakers.FailAsync(polly);
            await TestBreakers.FailAsync(fusebox);
        }

        Assert.IsType<BrokenCircuitException>((await TestBreakers.SucceedAsync(polly)).Error);
        Assert.IsType<BrokenCircuitException>((await TestBreakers.SucceedAsync(fusebox)).Error);

        _configuration.Reload();

        Assert.Equal(4, _builds); // both pipelines were built again
        Assert.Equal((1, (Exception?)null), await TestBreakers.SucceedAsync(polly)); // a fresh Polly breaker: closed, the outage forgotten
        var (ran, error) = await TestBreakers.SucceedAsync(fusebox);
        Assert.Equal(0, ran);
        Assert.Equal(TestBreakers.Break, Assert.IsType<BrokenCircuitException>(error).RetryAfter); // still open, same break
    }

    [Fact]
    public async Task Polly_disposing_the_pipelines_disposes_neither_the_registry_nor_its_breaker()
    {
        var registry = TestBreakers.Registry(_time);
        using var completed = new MeterListener();
        int instrumentsCompleted = 0;
        completed.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, registry.Metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        completed.MeasurementsCompleted = (_, _) => Interlocked.Increment(ref instrumentsCompleted);
        completed.Start();

        var services = Services(registry);
        var fusebox = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("fusebox");
        await TestBreakers.FailAsync(fusebox);
        var breaker = registry.GetOrAdd("orders");
        _configuration.Reload(); // Polly disposes the first pipeline's strategies
        await TestBreakers.FailAsync(fusebox);
        await services.DisposeAsync(); // and now every pipeline, the reloaded one included

        Assert.Equal(0, Volatile.Read(ref instrumentsCompleted)); // the registry's meter is still published
        Assert.Same(breaker, registry.GetOrAdd("orders"));
        Assert.Equal(BreakerState.Open, breaker.State); // tripped by one failure before the reload and one after
        _time.Advance(TestBreakers.Break);
        var rebuilt = new ResiliencePipelineBuilder().AddFuseboxCircuitBreaker(registry, "orders").Build();
        Assert.Equal((1, (Exception?)null), await TestBreakers.SucceedAsync(rebuilt));
        Assert.Equal(BreakerState.Closed, breaker.State);
    }

    private ServiceProvider Services(CircuitBreakerRegistry registry)
    {
        var services = new ServiceCollection();
        services.Configure<PipelineSettings>(_configuration.GetSection("Pipelines"));
        services.AddSingleton(registry); // an instance: the container does not own it either
        services.AddResiliencePipeline("polly", (builder, context) =>
        {
            context.EnableReloads<PipelineSettings>();
            Interlocked.Increment(ref _builds);
            builder.TimeProvider = _time;
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                BreakDuration = TestBreakers.Break,
            });
        });
        services.AddResiliencePipeline("fusebox", (builder, context) =>
        {
            context.EnableReloads<PipelineSettings>();
            Interlocked.Increment(ref _builds);
            builder.AddFuseboxCircuitBreaker(context.ServiceProvider.GetRequiredService<CircuitBreakerRegistry>(), "orders");
        });
        return services.BuildServiceProvider();
    }

    private sealed class PipelineSettings
    {
        public int Version { get; set; }
    }
}
