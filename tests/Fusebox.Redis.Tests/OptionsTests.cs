namespace Fusebox.Redis.Tests;

/// <summary>Options and the cluster thresholds derived from a breaker's policy (no Redis needed).</summary>
public class OptionsTests
{
    [Fact]
    public void Defaults_are_the_safe_quorum_of_two_replicas_and_a_strict_majority()
    {
        var o = new RedisStateOptions();
        o.Validate();
        Assert.Equal(SharingMode.Quorum, o.Mode);
        Assert.Equal(2, o.QuorumMinReplicas);
        Assert.Equal(0.5, o.QuorumFraction);
        Assert.Equal(TimeSpan.FromMilliseconds(100), o.FlushInterval);
        Assert.Null(o.PollInterval); // the change log is read at every tick
        Assert.Equal(TimeSpan.FromMinutes(1), o.SweepInterval);
        Assert.Equal("fusebox", o.KeyPrefix);
    }

    public static TheoryData<string, Action<RedisStateOptions>> Invalid => new()
    {
        { "KeyPrefix", o => o.KeyPrefix = " " },
        { "FlushInterval", o => o.FlushInterval = TimeSpan.FromMilliseconds(1) },
        { "PollInterval", o => o.PollInterval = TimeSpan.FromMilliseconds(50) },
        { "OperationTimeout", o => o.OperationTimeout = TimeSpan.Zero },
        { "FailureRateThreshold", o => o.FailureRateThreshold = 1.5 },
        { "MinimumCalls", o => o.MinimumCalls = 0 },
        { "QuorumMinReplicas", o => o.QuorumMinReplicas = 0 },
        { "QuorumFraction", o => o.QuorumFraction = 1 },
        { "Window", o => o.Window = TimeSpan.FromHours(1) },
        { "Window / BucketDuration must be at most 120 buckets (was 600", o => o.Window = TimeSpan.FromMinutes(10) }, // 1 s buckets
        { "at least 00:00:00.2500000", o => (o.Window, o.BucketDuration) = (TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)) },
        { "Mode", o => o.Mode = (SharingMode)7 },
        { "StateTimeToLive must be in [00:20:00", o => (o.SweepInterval, o.StateTimeToLive) = (TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10)) },
        { "SweepInterval", o => o.SweepInterval = TimeSpan.FromMilliseconds(50) },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_names_the_option_that_is_out_of_range(string option, Action<RedisStateOptions> breakIt)
    {
        var o = new RedisStateOptions();
        breakIt(o);
        var ex = Assert.ThrowsAny<ArgumentException>(o.Validate);
        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_thresholds_come_from_the_breaker_policy_unless_set()
    {
        var redis = new RedisStateOptions();
        var timeWindow = new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.3, TimeSpan.FromSeconds(20), 50) };
        Assert.Equal(new ClusterThresholds(0.3, 50, TimeSpan.FromSeconds(20), 2, 0.5), ClusterThresholds.For(timeWindow, redis, SharingMode.Quorum));

        var consecutive = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(7) };
        Assert.Equal(new ClusterThresholds(0.5, 7, TimeSpan.FromSeconds(10), 2, 0.5), ClusterThresholds.For(consecutive, redis, SharingMode.Quorum));

        var count = new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.8, 100, 20) };
        redis.MinimumCalls = 40;
        redis.Window = TimeSpan.FromSeconds(30);
        Assert.Equal(new ClusterThresholds(0.8, 40, TimeSpan.FromSeconds(30), 1, 0), ClusterThresholds.For(count, redis, SharingMode.Any));
    }

    [Fact]
    public async Task The_constructor_never_waits_for_redis_and_the_breakers_work_meanwhile()
    {
        using var registry = new CircuitBreakerRegistry();
        var breaker = registry.GetOrAdd("fraud");
        var started = System.Diagnostics.Stopwatch.StartNew();

        // Nothing listens on port 1: connecting fails in the background.
        await using var coordinator = new RedisStateCoordinator(registry, "127.0.0.1:1,connectTimeout=200", new RedisStateOptions { ReconnectInterval = TimeSpan.FromMilliseconds(50) });

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1));
        Assert.False(coordinator.IsRedisAvailable);
        Assert.Equal(42, await breaker.ExecuteAsync(_ => ValueTask.FromResult(42)));
        Assert.NotNull(coordinator.GetStatus("fraud"));
        Assert.Null(coordinator.GetStatus("unknown"));
    }
}
