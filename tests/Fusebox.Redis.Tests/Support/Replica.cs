using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Redis.Tests.Support;

/// <summary>One in-process "replica": its own registry (on a fake clock), its own connection and coordinator.</summary>
internal sealed class Replica : IAsyncDisposable
{
    public const string BreakerName = "payments";

    private Replica(string id, CircuitBreakerRegistry registry, RedisStateCoordinator coordinator, FakeTimeProvider time)
    {
        Id = id;
        Registry = registry;
        Coordinator = coordinator;
        Time = time;
        Breaker = registry.GetOrAdd(BreakerName);
    }

    public string Id { get; }

    public CircuitBreakerRegistry Registry { get; }

    public RedisStateCoordinator Coordinator { get; }

    public FakeTimeProvider Time { get; }

    public CircuitBreaker Breaker { get; }

    public BreakerState State => Breaker.State;

    public SharedBreakerStatus Status => Coordinator.GetStatus(BreakerName)!;

    /// <summary>Test defaults: flush every 50 ms (the change log read at every tick), every breaker swept every 500 ms,
    /// 500 ms operation timeout, cluster window 10 s. The
    /// coordinator runs on the system clock (these tests measure real propagation against a real redis-server), while
    /// the registry's breakers run on a fake one; the reconciler's rules are tested on fake time in Reconciler/.</summary>
    public static RedisStateOptions Options(string prefix, SharingMode mode = SharingMode.Quorum, string? id = null) => new()
    {
        KeyPrefix = prefix,
        ReplicaId = id,
        Mode = mode,
        FlushInterval = TimeSpan.FromMilliseconds(50),
        SweepInterval = TimeSpan.FromMilliseconds(500),
        OperationTimeout = TimeSpan.FromMilliseconds(500),
        ReconnectInterval = TimeSpan.FromMilliseconds(200),
        MinimumCalls = 10,
        TimeProvider = TimeProvider.System,
    };

    /// <summary>Consecutive failures (5) locally; a real-time break of 400 ms cluster-wide; 3 probes.</summary>
    public static CircuitBreakerOptions BreakerOptions() => new()
    {
        TripPolicy = TripPolicy.ConsecutiveFailures(5),
        BreakDuration = TimeSpan.FromMilliseconds(400),
        HalfOpenPermits = 3,
    };

    public static async Task<Replica> StartAsync(string connectionString, RedisStateOptions options, CircuitBreakerOptions? breaker = null,
        bool waitAvailable = true, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions { DefaultOptions = breaker ?? BreakerOptions() }, time);
        registry.GetOrAdd(BreakerName);
        var coordinator = new RedisStateCoordinator(registry, connectionString, options, logger);
        var replica = new Replica(options.ReplicaId ?? coordinator.ReplicaId, registry, coordinator, time);
        if (waitAvailable)
        {
            Assert.True(await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(10)), "the coordinator did not connect to redis-server");
            await Eventually.TrueAsync(() => coordinator.GetStatus(BreakerName)?.ClusterGeneration is not null, "first sync");
        }

        return replica;
    }

    public static async Task<Replica[]> StartManyAsync(int count, string connectionString, string prefix, SharingMode mode = SharingMode.Quorum,
        CircuitBreakerOptions? breaker = null, Action<RedisStateOptions>? configure = null)
    {
        var replicas = new Replica[count];
        for (int i = 0; i < count; i++)
        {
            var options = Options(prefix, mode, $"r{i + 1}");
            configure?.Invoke(options);
            replicas[i] = await StartAsync(connectionString, options, breaker);
        }

        return replicas;
    }

    /// <summary>Makes <paramref name="n"/> failing calls (stops early if the breaker rejects); returns how many ran.</summary>
    public int Fail(int n) => Calls(n, fail: true);

    public int Succeed(int n) => Calls(n, fail: false);

    private int Calls(int n, bool fail)
    {
        int ran = 0;
        for (int i = 0; i < n; i++)
        {
            if (!Breaker.TryAcquire(out var permit))
            {
                continue;
            }

            ran++;
            if (fail)
            {
                permit.RecordFailure(new DependencyDownException());
            }
            else
            {
                permit.RecordSuccess();
            }
        }

        return ran;
    }

    public async ValueTask DisposeAsync()
    {
        await Coordinator.DisposeAsync();
        Registry.Dispose();
    }
}

/// <summary>An exception type owned by the tests, so no library exception can be mistaken for it.</summary>
internal sealed class DependencyDownException() : Exception("dependency down");

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (then fails with <paramref name="what"/>).</summary>
    public static Task TrueAsync(Func<bool> condition, string what, double seconds = 5) =>
        TrueAsync(() => Task.FromResult(condition()), what, seconds);

    /// <summary>The same for a condition read asynchronously (from Redis, say).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, double seconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for: {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Checks that <paramref name="condition"/> holds all along a short period (for "nothing else happens").</summary>
    public static async Task StaysTrueAsync(Func<bool> condition, string what, double seconds = 0.5)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < until)
        {
            Assert.True(condition(), what);
            await Task.Delay(10);
        }
    }

    public static Task AllInStateAsync(IEnumerable<Replica> replicas, BreakerState state, double seconds = 5)
    {
        var list = replicas.ToList();
        return TrueAsync(() => list.All(r => r.State == state),
            $"all replicas {state}", seconds);
    }
}

internal static class Prefix
{
    public static string New() => "t" + Guid.NewGuid().ToString("N")[..10];
}
