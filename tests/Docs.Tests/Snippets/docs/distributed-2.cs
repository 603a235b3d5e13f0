// snippet:start
using Fusebox;
using Fusebox.Redis;
// snippet:end
using Docs.Tests.Scaffold;

namespace Docs.Tests.Snippets.Distributed;

/// <summary>docs/distributed.md: the coordinator without dependency injection.</summary>
public sealed class CoordinatorWithoutDependencyInjection : CheckoutScaffold
{
    public async Task RunAsync()
    {
        // snippet:start
        var registry = new CircuitBreakerRegistry(options);
        await using var shared = new RedisStateCoordinator(registry, "redis:6379", new RedisStateOptions { KeyPrefix = "checkout:prod" });
        var fraud = registry.GetOrAdd("fraud-service");      // shared with every replica using the same prefix
        shared.Attach(someStandaloneBreaker);                // breakers outside the registry, too
        // snippet:end
    }
}
