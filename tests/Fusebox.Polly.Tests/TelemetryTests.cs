using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Fusebox.Polly.Tests;

/// <summary>Polly's telemetry, through a real <see cref="TelemetryListener"/> on the pipeline builder: the events Polly's
/// own breaker reports, with its names and severities, once per transition, from the call that made it.</summary>
public class TelemetryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Opened_half_opened_and_closed_are_reported_with_Pollys_names_severities_and_the_callers_context()
    {
        var registry = TestBreakers.Registry(_time);
        var listener = new RecordingListener();
        var pipeline = new ResiliencePipelineBuilder { Name = "orders", TelemetryListener = listener }
            .AddFuseboxCircuitBreaker(registry, "orders-db")
            .Build();

        await TestBreakers.FailAsync(pipeline);
        Assert.Empty(listener.Events);
        await TestBreakers.FailAsync(pipeline);
        _time.Advance(TestBreakers.Break);
        await CallWithOperationKeyAsync(pipeline, "probe");

        Assert.Equal(
            [("OnCircuitOpened", ResilienceEventSeverity.Error), ("OnCircuitHalfOpened", ResilienceEventSeverity.Warning), ("OnCircuitClosed", ResilienceEventSeverity.Information)],
            listener.Events.Select(e => (e.Name, e.Severity)));
        Assert.All(listener.Events, e => Assert.Equal(("orders", "FuseboxCircuitBreaker"), (e.Pipeline, e.Strategy)));
        Assert.Equal([null, "probe", "probe"], listener.Events.Select(e => e.OperationKey));
        var opened = Assert.IsType<OnCircuitOpenedArguments<object>>(listener.Events[0].Arguments);
        Assert.Equal(TestBreakers.Break, opened.BreakDuration);
        Assert.False(opened.IsManual);
        Assert.IsType<TimeoutException>(opened.Outcome.Exception);
    }

    [Fact]
    public async Task A_typed_pipeline_reports_typed_arguments_and_runs_the_option_callbacks()
    {
        var registry = TestBreakers.Registry(_time);
        var listener = new RecordingListener();
        var callbacks = new List<string>();
        var pipeline = new ResiliencePipelineBuilder<int> { TelemetryListener = listener }
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions<int>
            {
                Registry = registry,
                BreakerName = "typed",
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result < 0),
                OnOpened = args => { callbacks.Add($"opened {args.Outcome.Result}"); return default; },
                OnHalfOpened = _ => { callbacks.Add("half-opened"); return default; },
                OnClosed = args => { callbacks.Add($"closed {args.Outcome.Result}"); return default; },
            })
            .Build();

        await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(-1));
        await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(-2));
        _time.Advance(TestBreakers.Break);
        await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(3));

        Assert.Equal(["opened -2", "half-opened", "closed 3"], callbacks);
        Assert.Equal(-2, Assert.IsType<OnCircuitOpenedArguments<int>>(listener.Events[0].Arguments).Outcome.Result);
        Assert.Equal(3, Assert.IsType<OnCircuitClosedArguments<int>>(listener.Events[2].Arguments).Outcome.Result);
    }

    [Fact]
    public async Task A_transition_is_reported_by_the_pipeline_whose_call_made_it_not_by_others_sharing_the_breaker()
    {
        var registry = TestBreakers.Registry(_time);
        var first = new RecordingListener();
        var second = new RecordingListener();
        var one = new ResiliencePipelineBuilder { TelemetryListener = first }.AddFuseboxCircuitBreaker(registry, "shared").Build();
        var two = new ResiliencePipelineBuilder { TelemetryListener = second }.AddFuseboxCircuitBreaker(registry, "shared").Build();

        await TestBreakers.FailAsync(two);
        await TestBreakers.FailAsync(one); // the second consecutive failure, through the first pipeline, trips it
        await TestBreakers.SucceedAsync(two); // rejected: no event

        Assert.Equal(["OnCircuitOpened"], first.Events.Select(e => e.Name));
        Assert.Empty(second.Events);
    }

    [Fact]
    public async Task A_transition_made_outside_the_pipeline_is_not_reported_as_one_of_its_calls()
    {
        var registry = TestBreakers.Registry(_time);
        var listener = new RecordingListener();
        var pipeline = new ResiliencePipelineBuilder { TelemetryListener = listener }.AddFuseboxCircuitBreaker(registry, "manual").Build();
        await TestBreakers.SucceedAsync(pipeline);

        registry.GetOrAdd("manual").Isolate();
        await TestBreakers.SucceedAsync(pipeline);
        registry.GetOrAdd("manual").Reset();
        await TestBreakers.SucceedAsync(pipeline);

        Assert.Empty(listener.Events);
    }

    [Fact]
    public async Task A_rejection_carries_the_telemetry_source_of_its_pipeline_and_strategy()
    {
        var registry = TestBreakers.Registry(_time);
        var pipeline = new ResiliencePipelineBuilder { Name = "orders" }
            .AddFuseboxCircuitBreaker(new FuseboxStrategyOptions { Registry = registry, BreakerName = "src", Name = "fusebox-orders" })
            .Build();
        await TestBreakers.FailAsync(pipeline);
        await TestBreakers.FailAsync(pipeline);

        var (_, error) = await TestBreakers.SucceedAsync(pipeline);

        var source = Assert.IsType<BrokenCircuitException>(error).TelemetrySource;
        Assert.Equal(("orders", "fusebox-orders"), (source?.PipelineName, source?.StrategyName));
    }

    private static async Task CallWithOperationKeyAsync(ResiliencePipeline pipeline, string operationKey)
    {
        var context = ResilienceContextPool.Shared.Get(operationKey);
        await pipeline.ExecuteAsync(static _ => ValueTask.CompletedTask, context);
        ResilienceContextPool.Shared.Return(context);
    }

    private sealed class RecordingListener : TelemetryListener
    {
        private readonly ConcurrentQueue<Recorded> _events = new();

        public IReadOnlyList<Recorded> Events => _events.ToArray();

        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
        {
            // Polly also writes its own execution events (PipelineExecuting/Executed) to the listener; only the strategy's count here.
            if (args.Event.EventName.StartsWith("OnCircuit", StringComparison.Ordinal))
            {
                _events.Enqueue(new Recorded(args.Event.EventName, args.Event.Severity, args.Source.PipelineName, args.Source.StrategyName,
                    args.Context.OperationKey, args.Arguments));
            }
        }
    }

    private sealed record Recorded(string Name, ResilienceEventSeverity Severity, string? Pipeline, string? Strategy, string? OperationKey, object? Arguments);
}
