using System.Diagnostics;
using System.Globalization;

namespace Fusebox.Redis.Scale;

/// <summary>One replica process: N shared breakers, driven over stdin ("begin", "end", "busy", "quit"; one line back each).</summary>
internal static class ScaleReplica
{
    public static async Task<int> RunAsync(string[] args)
    {
        string endpoint = args[0], prefix = args[1], id = args[3];
        int count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var mode = Enum.Parse<SharingMode>(args[4]);
        var sweep = TimeSpan.FromSeconds(int.Parse(args[5], CultureInfo.InvariantCulture));
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions
        {
            DefaultOptions = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(5) },
        });
        var breakers = Enumerable.Range(0, count).Select(i => registry.GetOrAdd($"b{i:D5}")).ToArray();
        await using var coordinator = new RedisStateCoordinator(registry, endpoint, new RedisStateOptions
        {
            KeyPrefix = prefix,
            ReplicaId = id,
            Mode = mode,
            SweepInterval = sweep,
            StateTimeToLive = TimeSpan.FromTicks(Math.Max(TimeSpan.FromHours(1).Ticks, 4 * sweep.Ticks)),
        });
        if (!await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(60)))
        {
            Console.WriteLine("unavailable");
            return 1;
        }

        var synced = Stopwatch.StartNew();
        while (mode != SharingMode.Local && coordinator.Report().Any(s => s.ClusterGeneration is null) && synced.Elapsed < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(200);
        }

        Console.WriteLine("ready");
        using var stop = new CancellationTokenSource();
        Task calling = Task.CompletedTask;
        var process = Process.GetCurrentProcess();
        TimeSpan cpu = default;
        var wall = Stopwatch.StartNew();
        string? line;
        while ((line = Console.ReadLine()) is not null && line != "quit")
        {
            switch (line)
            {
                case "begin":
                    process.Refresh();
                    (cpu, wall) = (process.TotalProcessorTime, Stopwatch.StartNew());
                    Console.WriteLine("ok");
                    break;
                case "end":
                    process.Refresh();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"cpu {(process.TotalProcessorTime - cpu).TotalMilliseconds / wall.Elapsed.TotalMilliseconds:0.0000}"));
                    break;
                case "busy":
                    calling = CallEveryBreakerAsync(breakers, stop.Token);
                    Console.WriteLine("ok");
                    break;
            }
        }

        await stop.CancelAsync();
        await calling;
        return 0;
    }

    /// <summary>Calls every breaker once every 100 ms (a success), until stopped.</summary>
    private static async Task CallEveryBreakerAsync(CircuitBreaker[] breakers, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                foreach (var breaker in breakers)
                {
                    if (breaker.TryAcquire(out var permit))
                    {
                        permit.RecordSuccess();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
