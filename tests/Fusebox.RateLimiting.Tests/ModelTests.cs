using Microsoft.Extensions.Time.Testing;

namespace Fusebox.RateLimiting.Tests;

/// <summary>
/// The limiter against a sequential model of it built from the pure estimates: random admissions, releases (some
/// dropped, some ignored) and clock steps on one thread, every observable compared after each step; then a
/// multi-threaded run with a fixed limit, where the number of leases held at once must never pass it.
/// </summary>
public class ModelTests
{
    private sealed class Model(AdaptiveConcurrencyOptions options)
    {
        public double Limit = options.InitialLimit;
        public double LongRtt;
        public long Samples;
        public int InFlight;
        public long Admitted;
        public long Rejected;

        public bool Acquire()
        {
            if (InFlight < (int)Limit)
            {
                InFlight++;
                Admitted++;
                return true;
            }

            Rejected++;
            return false;
        }

        public void Release(int inflightAtStart, long rttTicks, int mark)
        {
            InFlight--;
            if (mark == 2)
            {
                return;
            }

            if (options.Algorithm == ConcurrencyAlgorithm.Aimd)
            {
                Limit = AimdEstimate.NextLimit(Limit, mark == 1 || rttTicks > options.AimdTimeout.Ticks, inflightAtStart, options);
                return;
            }

            LongRtt = Gradient2Estimate.NextLongRtt(LongRtt, rttTicks, ++Samples, options.LongWindow);
            if (Gradient2Estimate.ShouldDecay(LongRtt, rttTicks))
            {
                LongRtt *= 0.95;
            }

            Limit = Gradient2Estimate.NextLimit(Limit, LongRtt, rttTicks, inflightAtStart, options);
        }
    }

    [Theory]
    [InlineData(ConcurrencyAlgorithm.Gradient2, 1)]
    [InlineData(ConcurrencyAlgorithm.Gradient2, 2)]
    [InlineData(ConcurrencyAlgorithm.Gradient2, 3)]
    [InlineData(ConcurrencyAlgorithm.Aimd, 4)]
    [InlineData(ConcurrencyAlgorithm.Aimd, 5)]
    public void The_limiter_matches_its_model_step_by_step(ConcurrencyAlgorithm algorithm, int seed)
    {
        var time = new FakeTimeProvider();
        var options = new AdaptiveConcurrencyOptions
        {
            Algorithm = algorithm, MinLimit = 2, InitialLimit = 8, MaxLimit = 40, AimdTimeout = TimeSpan.FromMilliseconds(80), TimeProvider = time,
        };
        using var limiter = new AdaptiveConcurrencyLimiter(options);
        var model = new Model(options);
        var random = new Random(seed);
        var held = new List<(AdaptiveConcurrencyLease Lease, long Start)>();
        for (int step = 0; step < 3000; step++)
        {
            int op = random.Next(10);
            if (op < 4)
            {
                var lease = limiter.TryAcquire();
                Assert.Equal(model.Acquire(), lease.IsAcquired);
                if (lease.IsAcquired)
                {
                    Assert.Equal(model.InFlight, lease.InFlightAtStart);
                    held.Add((lease, time.GetUtcNow().Ticks));
                }
            }
            else if (op < 8 && held.Count > 0)
            {
                int index = random.Next(held.Count);
                var (lease, start) = held[index];
                held.RemoveAt(index);
                int mark = random.Next(10) switch { 0 => 1, 1 => 2, _ => 0 };
                if (mark == 1)
                {
                    lease.MarkDropped();
                }
                else if (mark == 2)
                {
                    lease.MarkIgnored();
                }

                lease.Dispose();
                model.Release(lease.InFlightAtStart, time.GetUtcNow().Ticks - start, mark);
            }
            else
            {
                // Latency drifts: mostly a few ms, sometimes a long stall (a slow dependency, or AIMD's timeout).
                time.Advance(TimeSpan.FromMilliseconds(random.Next(10) == 0 ? random.Next(50, 200) : random.Next(0, 8)));
            }

            var stats = limiter.GetStatistics()!;
            Assert.Equal((int)model.Limit, limiter.CurrentLimit);
            Assert.Equal((model.InFlight, model.Admitted, model.Rejected), (limiter.InFlight, stats.TotalSuccessfulLeases, stats.TotalFailedLeases));
        }
    }

    [Fact]
    public void Threads_racing_for_slots_never_hold_more_than_the_limit()
    {
        const int limit = 5;
        using var limiter = new AdaptiveConcurrencyLimiter(new AdaptiveConcurrencyOptions
        {
            Algorithm = ConcurrencyAlgorithm.Aimd, MinLimit = limit, InitialLimit = limit, MaxLimit = limit,
        });
        int holding = 0;
        int most = 0;
        long admitted = 0;
        // Each thread may hold up to the whole limit, so the limit is reached even when the scheduler runs the threads
        // one after another (a loaded CI machine did: the most held was 4 when each thread held at most 3); they start
        // together behind a barrier so that they race whenever they can.
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            var random = new Random(t);
            var mine = new Stack<AdaptiveConcurrencyLease>();
            start.SignalAndWait();
            for (int i = 0; i < 200_000; i++)
            {
                if (mine.Count < limit && random.Next(2) == 0)
                {
                    var lease = limiter.TryAcquire();
                    if (lease.IsAcquired)
                    {
                        int now = Interlocked.Increment(ref holding);
                        InterlockedMax(ref most, now);
                        Interlocked.Increment(ref admitted);
                        mine.Push(lease);
                    }
                }
                else if (mine.Count > 0)
                {
                    Interlocked.Decrement(ref holding);
                    mine.Pop().Dispose();
                }
            }

            while (mine.Count > 0)
            {
                Interlocked.Decrement(ref holding);
                mine.Pop().Dispose();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.True(most <= limit, $"{most} leases held at once under a limit of {limit}");
        Assert.Equal(limit, most); // the run did reach the limit, so the bound was tested
        Assert.Equal(0, limiter.InFlight);
        Assert.Equal(admitted, limiter.GetStatistics()!.TotalSuccessfulLeases);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
