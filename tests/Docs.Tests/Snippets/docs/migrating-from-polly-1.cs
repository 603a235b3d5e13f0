// snippet:start
using Polly;
using Polly.CircuitBreaker;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.MigratingFromPolly;

/// <summary>docs/migrating-from-polly.md: the Polly pipeline of "The same breaker, both ways".</summary>
public sealed class PollyBreaker : CheckoutScaffold
{
    public async Task RunAsync()
    {
        // snippet:start
        var stateProvider = new CircuitBreakerStateProvider();
        var manualControl = new CircuitBreakerManualControl();
        ResiliencePipeline<bool> pipeline = new ResiliencePipelineBuilder<bool>()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<bool>
            {
                FailureRatio = 0.5,
                SamplingDuration = TimeSpan.FromSeconds(30),
                MinimumThroughput = 10,
                BreakDuration = TimeSpan.FromSeconds(15),
                ShouldHandle = new PredicateBuilder<bool>().Handle<HttpRequestException>(),
                StateProvider = stateProvider,
                ManualControl = manualControl,
                OnOpened = args => { Console.WriteLine($"fraud-service open for {args.BreakDuration}"); return default; },
            })
            .Build();

        try
        {
            bool safe = await pipeline.ExecuteAsync(static (s, ct) => new ValueTask<bool>(s.fraud.CheckAsync(s.tx, ct)), (fraud, tx), cancellationToken);
        }
        catch (BrokenCircuitException)                       // IsolatedCircuitException derives from it
        {
            FlagForManualReview(tx);
        }

        CircuitState state = stateProvider.CircuitState;
        await manualControl.IsolateAsync();
        await manualControl.CloseAsync();
        // snippet:end
    }
}
