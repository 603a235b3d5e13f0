using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>What one replica's window holds in Redis: no counts from before a close, no vote after its own recovery.</summary>
public class WindowCountTests
{
    [Fact]
    public async Task A_trip_vote_is_withdrawn_when_the_replica_recovers_locally_so_it_no_longer_counts_towards_the_quorum()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var replicas = await Replica.StartManyAsync(3, redis.ConnectionString, prefix);
        await using var cleanup = new DisposeAll(replicas);
        var (r1, r2) = (replicas[0], replicas[1]);
        foreach (var r in replicas)
        {
            r.Succeed(200); // healthy traffic in the window: only votes can make a quorum
        }

        await ClusterCounts.WaitForCallsAsync(redis, prefix, 600);
        r1.Fail(5); // trips locally: a vote
        await Eventually.TrueAsync(async () => (await ClusterCounts.OfReplicaAsync(redis, prefix, "r1")).Votes == 1, "r1's vote in the window");

        // r1's local break ends (its breaker's own fake clock) and its probes succeed: it has recovered.
        r1.Time.Advance(Replica.BreakerOptions().BreakDuration + TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, r1.Succeed(3));
        Assert.Equal(BreakerState.Closed, r1.State);
        await Eventually.TrueAsync(async () => (await ClusterCounts.OfReplicaAsync(redis, prefix, "r1")).Votes == 0, "r1's vote withdrawn");

        // Another replica trips: one replica of three that gave up is no quorum.
        r2.Fail(5);
        await Eventually.TrueAsync(async () => (await ClusterCounts.OfReplicaAsync(redis, prefix, "r2")).Votes == 1, "r2's vote in the window");
        await using var admin = await redis.ConnectAdminAsync();
        Assert.Equal("0", (string?)await admin.GetDatabase().HashGetAsync($"{prefix}:{{{Replica.BreakerName}}}:state", "s")); // still closed
    }

    [Fact]
    public async Task Failures_counted_before_an_adopted_close_do_not_reach_the_new_window()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        // r1 flushes on its ticks only every 10 s: its failures wait in the breaker's counters until its trip flushes them.
        var o1 = Replica.Options(prefix, id: "r1");
        (o1.FlushInterval, o1.PollInterval, o1.SweepInterval) = (TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        await using var r1 = await Replica.StartAsync(redis.ConnectionString, o1);
        await using var r2 = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r2"));

        Assert.Equal(4, r1.Fail(4)); // not flushed yet
        r2.Breaker.Reset("a reset decided on r2"); // closes for all: r1 adopts it from the message and clears its window
        await Eventually.TrueAsync(() => r1.Status.ClusterDescription?.Contains("a reset decided on r2", StringComparison.Ordinal) == true,
            "r1 adopts r2's reset");

        Assert.Equal(5, r1.Fail(5)); // trips: its vote is flushed at once, with the counts since the close
        await Eventually.TrueAsync(async () => (await ClusterCounts.OfReplicaAsync(redis, prefix, "r1")).Votes == 1, "r1's vote flushed");
        var (calls, failures, _) = await ClusterCounts.OfReplicaAsync(redis, prefix, "r1");
        Assert.Equal((5, 5), (calls, failures));
    }

    [Fact]
    public async Task A_ten_minute_window_is_kept_in_120_buckets_of_five_seconds()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        var breaker = Replica.BreakerOptions();
        breaker.TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromMinutes(10), 20); // the cluster window follows it
        await using var r1 = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, id: "r1"), breaker);

        r1.Succeed(3);
        await ClusterCounts.WaitForCallsAsync(redis, prefix, 3);
        await using var admin = await redis.ConnectAdminAsync();
        var key = Assert.Single(admin.GetServer(redis.Endpoint).Keys(pattern: $"{prefix}:{{{Replica.BreakerName}}}:w:*"));
        long bucket = long.Parse(((string)key!)[((string)key!).LastIndexOf(':')..][1..], System.Globalization.CultureInfo.InvariantCulture);
        long now = await RedisServer.ServerNowMsAsync(admin.GetDatabase());
        Assert.InRange(now / 5000 - bucket, 0, 1); // numbered by 5 s of server time (by 1 s it would be 5 times larger)
        var ttl = await admin.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.True(ttl > TimeSpan.FromMinutes(10), $"the bucket lives the window and two buckets (ttl {ttl})");
    }
}
