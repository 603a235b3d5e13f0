using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>
/// A replica with thousands of shared breakers reads them all when it connects. Sent at once, they queue on the one
/// connection and, on a slow or busy server, the last ones pass the operation timeout before Redis reaches them: the
/// recovery fails, starts again, and the replica never becomes available (seen with 10,000 breakers at load 41 in the
/// scale run). The recovery and the ticks now send at most 256 operations at a time.
/// </summary>
public class RecoveryBatchTests
{
    [Fact]
    public async Task Connecting_with_a_thousand_breakers_keeps_at_most_256_operations_in_flight()
    {
        await using var redis = await RedisServer.StartAsync();
        var names = Enumerable.Range(0, 1_000).Select(i => $"many-{i:D4}").ToArray();
        var options = ClockedReplica.Options(Prefix.New(), "r1", sweep: TimeSpan.FromSeconds(10));

        await using var replica = await ClockedReplica.StartAsync(redis.ConnectionString, options, names);

        // Before: the recovery's 1,000 reads went out together (most in flight: 1,000).
        int most = replica.Coordinator.MostInFlight;
        Assert.True(most <= CoordinatorLoop.MaxConcurrentOperations, $"{most} operations in flight at once");
        Assert.True(most > 1, $"{most}: the reads of a batch are still sent together");
    }
}
