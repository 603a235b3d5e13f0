// snippet:start
using Fusebox;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.Concepts;

/// <summary>Any dependency with a <c>Task</c>-returning call: the <c>state</c> of the second line.</summary>
public sealed class Dependency<T>(T value)
{
    public Task<T> CallAsync(CancellationToken ct) => Task.FromResult(value);
}

/// <summary>docs/concepts.md, "The three call styles", for any result type <typeparamref name="T"/>.</summary>
public sealed class CallStyles<T>(T value) : CheckoutScaffold
{
    private readonly Dependency<T> state = new(value);

    private Task<T> CallAsync(CancellationToken ct) => state.CallAsync(ct);

    public async Task RunAsync()
    {
        // snippet:start
        T v = await breaker.ExecuteAsync(ct => CallAsync(ct), ct);                       // throws CircuitOpenException when rejected
        CallOutcome<T> o = await breaker.TryExecuteAsync(static (s, ct) => s.CallAsync(ct), state, ct); // never throws; rejection is 0 B
        if (breaker.TryAcquire(out var permit)) { /* … */ permit.RecordSuccess(); }       // or RecordFailure / RecordException / RecordResult / Release
        // snippet:end
    }
}
