using System.Diagnostics;
using Concurrency;
using Fusebox;
using Fusebox.RateLimiting;

// Part 1. 64 callers at once against a dependency that serves 8 well: without a limit every call queues inside it;
// with the adaptive limiter the excess is shed at once (AdmissionRejectedException; the caller backs off 5 ms), the
// calls it admits stay fast, and the breaker never counts a shed call as a failure.
Console.WriteLine("1. Adaptive concurrency limit, 64 concurrent callers, a dependency that serves 8 at once well");
foreach (bool limited in new[] { false, true })
{
    var dependency = new SlowDependency(capacity: 8, baseLatency: TimeSpan.FromMilliseconds(5), tailEvery: int.MaxValue, tailLatency: default);
    using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions { InitialLimit = 8, MinLimit = 4, MaxLimit = 64 });
    var breaker = new CircuitBreaker(limited ? "limited" : "unlimited", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(5) });
    var caller = new ResilientCaller(breaker, new ResilientCallerOptions
    {
        Retry = new RetryOptions { MaxAttempts = 1 },
        Admission = limited ? limiter.ToAdmission() : null,
    });
    int served = 0, shed = 0;
    var latencies = new List<double>();
    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, 640), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (_, ct) =>
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await caller.ExecuteAsync(dependency.CallAsync, cancellationToken: ct);
            Interlocked.Increment(ref served);
            lock (latencies)
            {
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        catch (AdmissionRejectedException)
        {
            Interlocked.Increment(ref shed);
            await Task.Delay(5, ct); // a shed caller backs off (or serves a fallback) instead of queueing
        }
    });
    latencies.Sort();
    Console.WriteLine($"   {(limited ? "with the limiter   " : "without a limit    ")} served {served,3}, shed {shed,3}, peak in flight {dependency.PeakInFlight,2}, " +
        $"p50 {latencies[latencies.Count / 2],5:0.0} ms, p99 {latencies[(int)(latencies.Count * 0.99)],5:0.0} ms, " +
        $"breaker {breaker.State} ({breaker.Snapshot().FailedCalls} failures), limit now {(limited ? limiter.CurrentLimit : 0)}, {clock.ElapsedMilliseconds} ms");
}

// Part 2. One call in ten is a 300 ms outlier. A hedge after 30 ms cuts the tail; the retry budget pays for each hedge,
// so hedging adds at most its share of load (here 10 % of calls plus the floor of 1 a second).
Console.WriteLine("2. Hedging after 30 ms, one call in ten a 300 ms outlier, hedges paid from a 10 % retry budget");
foreach (bool hedged in new[] { false, true })
{
    var dependency = new SlowDependency(capacity: 1_000, baseLatency: TimeSpan.FromMilliseconds(10), tailEvery: 10, tailLatency: TimeSpan.FromMilliseconds(300));
    var budget = new RetryBudget(retryRatio: 0.1, minimumRetriesPerSecond: 1);
    var caller = new ResilientCaller(new CircuitBreaker(hedged ? "hedged" : "plain"), new ResilientCallerOptions
    {
        Retry = new RetryOptions { MaxAttempts = 1, Budget = budget },
        Hedging = hedged ? new HedgingOptions { Delay = TimeSpan.FromMilliseconds(30), MaxHedgedAttempts = 1 } : null,
    });
    var latencies = new List<double>();
    await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
    {
        long start = Stopwatch.GetTimestamp();
        await caller.ExecuteAsync(dependency.CallAsync, cancellationToken: ct);
        lock (latencies)
        {
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    });
    latencies.Sort();
    Console.WriteLine($"   {(hedged ? "hedged   " : "plain    ")} 200 calls sent {dependency.Calls} requests, p50 {latencies[100],5:0.0} ms, " +
        $"p95 {latencies[190],5:0.0} ms, p99 {latencies[198],5:0.0} ms, hedges refused by the budget {budget.Exhausted}");
}
