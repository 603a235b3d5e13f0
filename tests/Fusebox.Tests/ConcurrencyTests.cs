using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests;

public class ConcurrencyTests
{
    [Fact]
    public void Exactly_HalfOpenPermits_probes_are_admitted_however_many_callers_race()
    {
        const int Permits = 3;
        const int Threads = 4;
        const int AttemptsPerThread = 4;
        const int Rounds = 2000;
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time, new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1), HalfOpenPermits = Permits });
        breaker.Fail();

        var admitted = new System.Collections.Concurrent.ConcurrentBag<CircuitPermit>();
        long attempts = 0;
        using var barrier = new Barrier(Threads + 1);
        var workers = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            for (int round = 0; round < Rounds; round++)
            {
                barrier.SignalAndWait(); // start together
                for (int a = 0; a < AttemptsPerThread; a++)
                {
                    Interlocked.Increment(ref attempts);
                    if (breaker.TryAcquire(out var permit))
                    {
                        admitted.Add(permit);
                    }
                }

                barrier.SignalAndWait(); // round done
            }
        })).ToList();
        workers.ForEach(w => w.Start());

        var perRound = new List<int>();
        for (int round = 0; round < Rounds; round++)
        {
            time.Advance(TimeSpan.FromSeconds(30)); // the break is over
            barrier.SignalAndWait();
            barrier.SignalAndWait();
            perRound.Add(admitted.Count);
            int i = 0;
            foreach (var permit in admitted)
            {
                if (i++ == 0)
                {
                    permit.RecordFailure(); // re-open for the next round
                }
                else
                {
                    permit.Release();
                }
            }

            admitted.Clear();
            Assert.Equal(BreakerState.Open, breaker.State);
        }

        workers.ForEach(w => w.Join());
        Assert.All(perRound, n => Assert.Equal(Permits, n));

        var s = breaker.Snapshot();
        Assert.Equal(attempts + 1, s.TotalCalls); // +1: the call that first opened it
        Assert.Equal(s.SuccessfulCalls + s.FailedCalls + s.RejectedCalls + s.IgnoredCalls, s.TotalCalls);
        Assert.Equal(Rounds * ((Threads * AttemptsPerThread) - Permits), s.RejectedCalls);
        Assert.Equal(Rounds + 1, s.FailedCalls);
        Assert.Equal(Rounds * (Permits - 1), s.IgnoredCalls);
    }

    [Fact]
    public async Task Closed_state_counts_add_up_under_parallel_load()
    {
        var breaker = new CircuitBreaker("load", new CircuitBreakerOptions { TripPolicy = TripPolicy.FailureRate(0.9, 1000, 100) }, TimeProvider.System, new FuseboxMetrics());
        const int PerTask = 20_000;
        const int Tasks = 4;

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < PerTask; i++)
            {
                Assert.True(breaker.TryAcquire(out var permit));
                if (i % 10 == 0)
                {
                    permit.RecordFailure();
                }
                else
                {
                    permit.RecordSuccess();
                }
            }
        })));

        var s = breaker.Snapshot();
        Assert.Equal(BreakerState.Closed, s.State);
        Assert.Equal(Tasks * PerTask, s.TotalCalls);
        Assert.Equal(Tasks * PerTask / 10, s.FailedCalls);
        Assert.Equal(1000, s.Window.Calls);
        Assert.InRange(s.Window.Failures, 0, 1000);
    }

    [Fact]
    public void Counts_stay_exact_across_more_threads_than_cells_and_threads_that_end()
    {
        // More threads than a breaker gives cells to (so some count on the shared cell), in waves that end and are
        // collected between them (so later threads reuse the numbers, and the cells, of ended ones).
        var breaker = new CircuitBreaker("threads", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(int.MaxValue) }, TimeProvider.System, new FuseboxMetrics());
        const int Waves = 4;
        const int ThreadsPerWave = 40;
        const int CallsPerThread = 2000;

        for (int wave = 0; wave < Waves; wave++)
        {
            var threads = Enumerable.Range(0, ThreadsPerWave).Select(t => new Thread(() =>
            {
                for (int i = 0; i < CallsPerThread; i++)
                {
                    if (t % 2 == 0)
                    {
                        breaker.Execute(static (n, _) => n, i);
                    }
                    else
                    {
                        Assert.True(breaker.TryAcquire(out var permit));
                        permit.RecordFailure();
                    }
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        var s = breaker.Snapshot();
        Assert.Equal(Waves * ThreadsPerWave / 2 * CallsPerThread, s.SuccessfulCalls);
        Assert.Equal(Waves * ThreadsPerWave / 2 * CallsPerThread, s.FailedCalls);
        Assert.Equal(BreakerState.Closed, s.State);
    }

    [Fact]
    public async Task Racing_failures_open_the_breaker_exactly_once()
    {
        for (int round = 0; round < 200; round++)
        {
            var breaker = new CircuitBreaker("race", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(3) }, TimeProvider.System, new FuseboxMetrics());
            int opened = 0;
            breaker.StateChanged += (_, e) =>
            {
                if (e.NewState == BreakerState.Open)
                {
                    Interlocked.Increment(ref opened);
                }
            };
            var permits = Enumerable.Range(0, 8).Select(_ => { Assert.True(breaker.TryAcquire(out var p)); return p; }).ToArray();
            using var start = new ManualResetEventSlim();

            var tasks = permits.Select(p => Task.Run(() => { start.Wait(); p.RecordFailure(); })).ToArray();
            start.Set();
            await Task.WhenAll(tasks);

            Assert.Equal(1, opened);
            Assert.Equal(1, breaker.Snapshot().StateChanges);
        }
    }
}
