using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Fusebox.Redis.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>
/// <see cref="ChangeDrain"/> on its own, against a real redis-server: a burst of queued changes on many breakers is
/// published concurrently (the breakers' scripts in flight together, pipelined on the one connection), while the
/// changes of one breaker go one at a time, each sent after the reply to the one before, so they reach Redis and every
/// subscriber in the order they were made. The drain is built from the coordinator's parts with a link of its own, so
/// <see cref="RedisLink.MostInFlight"/> counts only the drain's operations (a coordinator's recovery and change-log
/// appends would count too).
/// </summary>
public sealed class ChangeDrainTests : IDisposable
{
    private const int Breakers = 50;
    private static readonly (BreakerState Target, string Published)[] s_steps =
        [(BreakerState.Isolated, "isolated"), (BreakerState.Closed, "reset"), (BreakerState.Disabled, "disabled"), (BreakerState.Isolated, "isolated")];

    private readonly Meter _meter = new("Fusebox.Redis.Tests.ChangeDrain");

    [Fact]
    public async Task A_burst_on_many_breakers_is_published_concurrently_and_each_breakers_changes_in_order()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var listener = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        string prefix = Prefix.New();
        var options = Replica.Options(prefix, SharingMode.Any, "r1");
        var context = new CoordinatorContext(options, "r1", new CoordinatorClock(TimeProvider.System), NullLogger.Instance,
            new RedisStateMetrics(_meter, prefix, () => 0));
        var link = new RedisLink(context, connection, connect: null, ownsConnection: false);
        await link.ConnectAsync(_ => { }, TestContext.Current.CancellationToken);
        link.MarkAvailable(Breakers);
        var (queue, drain) = Build(context, link);

        // Every published transition, in the order the subscriber receives them (one channel: Redis's execution order).
        var published = new ConcurrentQueue<(string Name, long Generation, string Description)>();
        (await listener.GetSubscriber().SubscribeAsync(context.Channel)).OnMessage(message =>
        {
            using var json = JsonDocument.Parse((string)message.Message!);
            published.Enqueue((json.RootElement.GetProperty("n").GetString()!, json.RootElement.GetProperty("g").GetInt64(),
                json.RootElement.GetProperty("d").GetString()!));
        });

        var shared = Enumerable.Range(0, Breakers)
            .Select(i => new SharedBreaker(new CircuitBreaker($"burst-{i:D2}", Replica.BreakerOptions()), SharingMode.Any, prefix, fromRegistry: false))
            .ToArray();
        var done = new List<Task<bool>>();
        for (int step = 0; step < s_steps.Length; step++)
        {
            foreach (var breaker in shared) // interleaved, as a burst on many breakers arrives
            {
                var committed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                queue.EnqueueCommand(breaker, s_steps[step].Target, $"step {step + 1}", committed);
                done.Add(committed.Task);
            }
        }

        Assert.Null(await drain.DrainAsync(TestContext.Current.CancellationToken));
        Assert.All(await Task.WhenAll(done), Assert.True); // every command was taken by Redis
        await Eventually.TrueAsync(() => published.Count == Breakers * s_steps.Length, "every transition published");

        // Concurrent across breakers: more than one script in flight (one at a time would be 200 awaited round trips).
        // One at a time per breaker: never more in flight than there are breakers.
        int most = link.MostInFlight;
        Assert.True(most > 1, $"{most} operation(s) in flight at most: the breakers' changes were not published concurrently");
        Assert.True(most <= Breakers, $"{most} operations in flight at most, for {Breakers} breakers: one breaker had several changes in flight at once");

        // In order per breaker: the published generations increase one by one, with the steps in the order they were made.
        foreach (var group in published.GroupBy(p => p.Name))
        {
            var mine = group.ToArray();
            Assert.Equal(s_steps.Select((s, i) => $"{s.Published}: step {i + 1}"), mine.Select(p => p.Description));
            Assert.Equal(Enumerable.Range(1, s_steps.Length).Select(g => (long)g), mine.Select(p => p.Generation));
        }

        Assert.Equal(Breakers, published.Select(p => p.Name).Distinct().Count());
        Topology.TopologyBreakers.Report($"change drain: {Breakers * s_steps.Length} changes on {Breakers} breakers published with at most {most} scripts in flight, each breaker's in order");
    }

    /// <summary>The parts of a coordinator that a drain uses, wired as <see cref="RedisStateCoordinator"/> wires them.</summary>
    private static (ChangeQueue Queue, ChangeDrain Drain) Build(CoordinatorContext context, RedisLink link)
    {
        var adopter = new StateAdopter(context, new Reconciler(context.Clock, context.ReplicaId, context.Options.HoldGrace));
        var faults = new BreakerFaults(context, link, adopter);
        var store = new SharedStateStore(context, link, new ChangeLog(context, link, faults));
        var publisher = new ChangePublisher(context, store, adopter, new WindowReporter(context, store, adopter));
        var queue = new ChangeQueue();
        return (queue, new ChangeDrain(link, queue, publisher, faults));
    }

    public void Dispose() => _meter.Dispose();
}
