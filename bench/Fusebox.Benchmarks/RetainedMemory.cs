using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Polly;
using Polly.Registry;
using PollyCB = Polly.CircuitBreaker;

namespace Fusebox.Benchmarks;

/// <summary>
/// <c>--retained</c>: how much memory stays alive per breaker, measured as the growth of the managed heap after a
/// full, compacting collection while N breakers (or a registry of N) are held. Each figure is made in the same
/// process, one after the other, with the names and the holding array allocated before the first reading.
/// </summary>
internal static class RetainedMemory
{
    private const int Breakers = RegistryMemoryBenchmarks.Count;

    public static string Run()
    {
        var names = RegistryMemoryBenchmarks.Names(Breakers);
        var options = new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, windowSize: 100, minimumCalls: 100) };
        var rows = new List<(string What, double Bytes)>
        {
            ("Polly pipeline + circuit breaker (defaults)", PerItem(names, static (n, _) => Benchmarks.Breakers.PollyDefault())),
            ("Fusebox breaker, ConsecutiveFailures(5) (defaults)", PerItem(names, static (n, _) => new CircuitBreaker(n, null))),
            ("Fusebox breaker, FailureRate(window 100 calls)", PerItem(names, (n, _) => new CircuitBreaker(n, options))),
            ("Fusebox breaker, FailureRate(window 10 s)", PerItem(names, static (n, _) =>
                new CircuitBreaker(n, new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 100) }))),
            ($"Polly ResiliencePipelineRegistry of {Breakers:N0}", Whole(() =>
            {
                var registry = new ResiliencePipelineRegistry<string>();
                foreach (string n in names)
                {
                    registry.GetOrAddPipeline(n, static b => b.AddCircuitBreaker(new PollyCB.CircuitBreakerStrategyOptions()));
                }

                return registry;
            })),
            ($"Fusebox CircuitBreakerRegistry of {Breakers:N0}", Whole(() =>
            {
                var registry = new CircuitBreakerRegistry();
                foreach (string n in names)
                {
                    registry.GetOrAdd(n);
                }

                return registry;
            })),
        };

        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Retained managed heap, {Breakers:N0} instances held; .NET {Environment.Version}, {Environment.ProcessorCount} logical cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine("| What | Retained per breaker | Retained in total |");
        sb.AppendLine("| --- | ---: | ---: |");
        foreach (var (what, bytes) in rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {bytes / Breakers:N0} B | {bytes / (1024 * 1024):N1} MiB |");
        }

        GC.KeepAlive(names);
        return sb.ToString();
    }

    private static double PerItem(string[] names, Func<string, int, object> create)
    {
        var held = new object[names.Length];
        long before = Settle();
        for (int i = 0; i < names.Length; i++)
        {
            held[i] = create(names[i], i);
        }

        long after = Settle();
        GC.KeepAlive(held);
        Dispose(held);
        return after - before;
    }

    private static double Whole(Func<IDisposable> create)
    {
        long before = Settle();
        var registry = create();
        long after = Settle();
        GC.KeepAlive(registry);
        registry.Dispose();
        return after - before;
    }

    private static void Dispose(object[] held)
    {
        foreach (var item in held)
        {
            (item as IDisposable)?.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Settle()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
