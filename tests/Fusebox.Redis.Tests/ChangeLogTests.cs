using Fusebox.Redis.Tests.Support;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests;

/// <summary>
/// Issue 14, defect 8: the change log carries every committed transition to the replicas that missed its pub/sub
/// message, within one tick; a log that lost entries makes a replica read every breaker again; a change the log never
/// named (a replica crashed between its commit and its append) is caught by the sweep within the sweep interval. Both
/// replicas run on fake clocks, so "within one tick" is one advance of the reader's clock.
/// </summary>
public class ChangeLogTests
{
    private static readonly string[] s_names = ["payments", "orders", "stock"];

    [Fact]
    public async Task A_change_missed_on_pub_sub_is_read_from_the_change_log_at_the_next_tick()
    {
        await using var pair = await Pair.StartAsync(sweep: TimeSpan.FromHours(1)); // no sweep within the test

        Assert.True(await pair.Writer.Coordinator.IsolateAsync("orders", "missed by pub/sub"));
        await pair.WaitForLoggedAsync("orders");
        await pair.Reader.TickAsync(); // the reader's clock stood still since the append: this is the next tick
        Assert.Equal(BreakerState.Isolated, pair.Reader["orders"].State);
        Assert.Contains("missed by pub/sub", pair.Reader["orders"].Snapshot().LastReasonDescription, StringComparison.Ordinal);
        Assert.Equal(0, pair.Reader.Coordinator.Swept);
        Assert.Equal(BreakerState.Closed, pair.Reader["payments"].State);
    }

    [Fact]
    public async Task A_trimmed_change_log_makes_the_reader_read_every_breaker_again()
    {
        await using var pair = await Pair.StartAsync(sweep: TimeSpan.FromHours(1));

        Assert.True(await pair.Writer.Coordinator.IsolateAsync("orders", "logged, then trimmed"));
        await pair.WaitForLoggedAsync("orders");
        await pair.Db.StreamTrimAsync(pair.LogKey, 0); // the reader's cursor is gone with the entry that named the breaker

        await pair.Reader.TickAsync();
        Assert.Equal(BreakerState.Isolated, pair.Reader["orders"].State);
        Assert.Equal(0, pair.Reader.Coordinator.Swept);
    }

    [Fact]
    public async Task After_a_flushall_the_writer_reads_every_breaker_again_and_re_seeds_its_manual_state()
    {
        await using var pair = await Pair.StartAsync(sweep: TimeSpan.FromHours(1));
        Assert.True(await pair.Writer.Coordinator.IsolateAsync("stock", "held through a flush"));
        await pair.Writer.TickAsync();

        await pair.Db.ExecuteAsync("FLUSHALL"); // the state and the log; nothing tells an idle breaker but the lost cursor
        await pair.Writer.TickAsync(2); // resync: reads "stock" (gone: a new epoch), writes its isolation back
        Assert.Equal("3", (string?)await pair.Db.HashGetAsync($"{pair.Prefix}:{{stock}}:state", "s"));
    }

    [Fact]
    public async Task A_change_the_log_never_named_is_caught_by_the_sweep_within_the_sweep_interval()
    {
        var sweep = TimeSpan.FromSeconds(1); // 10 ticks: each tick sweeps 3 × 0.1 breakers
        await using var pair = await Pair.StartAsync(sweep);

        Assert.True(await pair.Writer.Coordinator.IsolateAsync("payments", "its log entry is lost"));
        var entry = await pair.WaitForLoggedAsync("payments");
        Assert.Equal(1, await pair.Db.StreamDeleteAsync(pair.LogKey, [entry])); // as if the writer had crashed before its append

        int ticks = 0;
        while (pair.Reader["payments"].State != BreakerState.Isolated)
        {
            long swept = pair.Reader.Coordinator.Swept;
            await pair.Reader.TickAsync();
            ticks++;
            Assert.True(ticks <= sweep / pair.Reader.Tick, $"not converged within the sweep interval ({ticks} ticks)");
            if (pair.Reader["payments"].State == BreakerState.Isolated)
            {
                Assert.True(pair.Reader.Coordinator.Swept > swept, "converged at a tick without a sweep read: something else carried it");
            }
        }
    }

    [Fact]
    public async Task Corrupt_entries_are_skipped_and_a_log_key_of_another_type_is_replaced_without_making_redis_unavailable()
    {
        await using var pair = await Pair.StartAsync(sweep: TimeSpan.FromHours(1));

        // Entries no replica wrote: no writer, a breaker without epoch and generation, a generation that is not a number.
        await pair.Db.StreamAddAsync(pair.LogKey, [new NameValueEntry("garbage", "1")]);
        await pair.Db.StreamAddAsync(pair.LogKey, [new NameValueEntry("w", "someone"), new NameValueEntry("n", "orders")]);
        await pair.Db.StreamAddAsync(pair.LogKey,
            [new NameValueEntry("w", "someone"), new NameValueEntry("n", "orders"), new NameValueEntry("e", "x"), new NameValueEntry("g", "-3")]);
        Assert.True(await pair.Writer.Coordinator.IsolateAsync("orders", "after the garbage"));
        await pair.WaitForLoggedAsync("orders");
        await pair.Reader.TickAsync();
        Assert.Equal(BreakerState.Isolated, pair.Reader["orders"].State);
        Assert.True(pair.Reader.Coordinator.IsRedisAvailable);

        // The log's key holding a string: the reader replaces it with a new log and reads every breaker again.
        await pair.Db.KeyDeleteAsync(pair.LogKey);
        await pair.Db.StringSetAsync(pair.LogKey, "garbage");
        Assert.True(await pair.Writer.Coordinator.ResetAsync("orders", "after the wrong type"));
        await pair.Reader.TickAsync(3); // fails on the string and deletes it; anchors a new log and reads every breaker
        Assert.Equal(BreakerState.Closed, pair.Reader["orders"].State);
        Assert.True(pair.Reader.Coordinator.IsRedisAvailable);
        Assert.Equal(RedisType.Stream, await pair.Db.KeyTypeAsync(pair.LogKey));
    }

    /// <summary>A writer and a reader that ignores pub/sub, both on fake clocks, sharing <see cref="s_names"/>.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private readonly RedisServer _redis;
        private readonly ConnectionMultiplexer _admin;

        private Pair(RedisServer redis, ClockedReplica writer, ClockedReplica reader, ConnectionMultiplexer admin, string prefix)
        {
            (_redis, Writer, Reader, _admin, Prefix) = (redis, writer, reader, admin, prefix);
            LogKey = prefix + ":changes";
        }

        public string Prefix { get; }

        public ClockedReplica Writer { get; }

        public ClockedReplica Reader { get; }

        public IDatabase Db => _admin.GetDatabase();

        public RedisKey LogKey { get; }

        /// <summary>Starts a redis-server of its own and the two replicas.</summary>
        public static async Task<Pair> StartAsync(TimeSpan sweep)
        {
            var redis = await RedisServer.StartAsync();
            string prefix = Support.Prefix.New();
            var writer = await ClockedReplica.StartAsync(redis.ConnectionString, ClockedReplica.Options(prefix, "writer", sweep), s_names);
            var reader = await ClockedReplica.StartAsync(redis.ConnectionString, ClockedReplica.Options(prefix, "reader", sweep), s_names);
            reader.Coordinator.PubSubEnabled = false;
            return new Pair(redis, writer, reader, await redis.ConnectAdminAsync(), prefix);
        }

        /// <summary>Waits until the writer's log entry naming <paramref name="name"/> is in the stream; returns its id.</summary>
        public async Task<RedisValue> WaitForLoggedAsync(string name)
        {
            RedisValue id = RedisValue.Null;
            await Eventually.TrueAsync(async () =>
            {
                var entries = await Db.StreamRangeAsync(LogKey, "-", "+");
                id = entries.LastOrDefault(e => e.Values.Any(v => v.Name == "w" && v.Value == "writer") && e.Values.Any(v => v.Name == "n" && v.Value == name)).Id;
                return !id.IsNull;
            }, $"the writer's log entry naming {name}");
            return id;
        }

        public async ValueTask DisposeAsync()
        {
            await Reader.DisposeAsync();
            await Writer.DisposeAsync();
            await _admin.DisposeAsync();
            await _redis.DisposeAsync();
        }
    }
}
