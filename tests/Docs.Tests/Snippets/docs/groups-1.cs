// snippet:start
using Fusebox;
// snippet:end

namespace Docs.Tests.Snippets.Groups;

/// <summary>docs/groups.md: a group of per-endpoint breakers and a call through one member.</summary>
public sealed class GroupStart
{
    private readonly InventoryClient inventory = new();
    private readonly string sku = "sku-1";

    public string? Stock { get; private set; }

    public int Members { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        // snippet:start
        using var endpoints = new BreakerGroup("inventory", new BreakerGroupOptions
        {
            MemberOptions = new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 100, minimumCalls: 20) },
            MaxOpenPercent = 10,          // at most 10 % of the members open at once (always at least one)
            PanicThresholdPercent = 50,   // below 50 % healthy members, nobody rejects
        });

        // One member per endpoint, created on first use; a member is an ordinary CircuitBreaker.
        CircuitBreaker member = endpoints.GetOrAdd("10.0.0.7:443");
        string stock = await member.ExecuteAsync(ct => inventory.GetStockAsync("10.0.0.7:443", sku, ct), cancellationToken);
        // snippet:end
        Stock = stock;
        Members = endpoints.Count;
    }

    /// <summary>Stands in for the application's own client of the inventory service.</summary>
    public sealed class InventoryClient
    {
        public Task<string> GetStockAsync(string endpoint, string sku, CancellationToken cancellationToken) =>
            Task.FromResult($"{sku}@{endpoint}: 7");
    }
}
