using Fusebox;

namespace Docs.Tests.Scaffold;

/// <summary>A transaction to check, as in the Checkout sample.</summary>
public sealed record Transaction(string Id, decimal Amount);

/// <summary>
/// The dependency the snippets guard: an ordinary <see cref="Task{TResult}"/>-returning client, because that is what
/// a reader's own code has (the issue that asked for these tests was a README snippet that compiled only for ValueTask).
/// </summary>
public sealed class FraudService
{
    /// <summary>Counts the checks, so a snippet that is run can be seen to have called the dependency.</summary>
    public int Checks { get; private set; }

    public Task<bool> CheckAsync(Transaction tx, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Checks++;
        return Task.FromResult(tx.Amount < 10_000m);
    }
}

/// <summary>
/// The names the documentation's fragments use without declaring them (<c>fraud</c>, <c>tx</c>, <c>ct</c>,
/// <c>breaker</c>, …). A snippet class derives from this and holds the snippet, verbatim, in a method body.
/// The lower-case member names are the snippets' own, which is the point.
/// </summary>
public abstract class CheckoutScaffold
{
    protected FraudService fraud { get; } = new();

    protected Transaction tx { get; } = new("tx-1", 42m);

    protected CancellationToken ct => CancellationToken.None;

    protected CancellationToken cancellationToken => CancellationToken.None;

    protected CircuitBreaker breaker { get; } = new("fraud-service");

    protected CircuitBreakerRegistry registry { get; } = new();

    protected CircuitBreakerRegistryOptions options { get; } = new();

    protected CircuitBreaker someStandaloneBreaker { get; } = new("standalone");

    /// <summary>How many times a snippet took its fallback path.</summary>
    public int FlaggedForReview { get; private set; }

    /// <summary>How many times a snippet's permit-style call sent.</summary>
    public int Sent { get; private set; }

    protected void FlagForManualReview(Transaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        FlaggedForReview++;
    }

    protected void Send() => Sent++;
}
