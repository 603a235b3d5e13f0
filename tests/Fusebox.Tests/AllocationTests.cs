using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary>
/// Allocation is a correctness property here (the hot path promises 0 B), so it is asserted with the runtime's exact
/// per-thread allocation counter, not timed. Speed itself is measured with BenchmarkDotNet in bench/. The promise is
/// about the optimized library, so these run in Release (CI) and are skipped, with the reason, over a Debug build
/// (<see cref="ZeroAllocationFactAttribute"/>).
/// </summary>
public class AllocationTests
{
    internal static long AllocatedBy(Action action, int iterations = 1000)
    {
        action(); // JIT and first-use allocations happen outside the measurement
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < iterations; i++)
        {
            action();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [ZeroAllocationFact]
    public void Closed_success_allocates_nothing_in_every_style()
    {
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());

        Assert.Equal(0, AllocatedBy(() => breaker.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), 1).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocatedBy(() => breaker.ExecuteAsync(static ct => new ValueTask<int>(1)).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocatedBy(() => breaker.TryExecuteAsync(static ct => new ValueTask<int>(1)).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocatedBy(() => breaker.ExecuteAsync(static ct => ValueTask.CompletedTask).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocatedBy(() => breaker.Execute(static (s, ct) => s, 1)));
        Assert.Equal(0, AllocatedBy(() => breaker.TryExecute(static ct => 1)));
        Assert.Equal(0, AllocatedBy(() =>
        {
            if (breaker.TryAcquire(out var permit))
            {
                permit.RecordSuccess();
            }
        }));
    }

    [ZeroAllocationFact]
    public void Closed_success_and_failure_allocate_nothing_with_statistics_on()
    {
        foreach (var clock in new TimeProvider[] { TimeProvider.System, new Microsoft.Extensions.Time.Testing.FakeTimeProvider() })
        {
            var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions
            {
                CollectStatistics = true,
                TripPolicy = TripPolicy.ConsecutiveFailures(int.MaxValue),
                ShouldHandleResult = ResultPredicate.Handle<int>(static r => r < 0),
            }, clock, new FuseboxMetrics());

            Assert.Equal(0, AllocatedBy(() => breaker.ExecuteAsync(static (s, ct) => new ValueTask<int>(s), 1).GetAwaiter().GetResult()));
            Assert.Equal(0, AllocatedBy(() => breaker.Execute(static (s, ct) => s, 1)));
            Assert.Equal(0, AllocatedBy(() => breaker.TryExecute(static ct => 1)));
            Assert.Equal(0, AllocatedBy(() => breaker.Execute(static (s, ct) => s, -1))); // a failing result, kept as the last failure
            Assert.Equal(0, AllocatedBy(() =>
            {
                if (breaker.TryAcquire(out var permit))
                {
                    permit.RecordSuccess();
                }
            }));
            Assert.True(breaker.Snapshot().Statistics!.Requests > 0);
        }
    }

    [ZeroAllocationFact]
    public void Windowed_policies_allocate_nothing_per_call()
    {
        foreach (var policy in new[] { TripPolicy.FailureRate(0.5, 100, 10), TripPolicy.FailureRate(0.5, TimeSpan.FromSeconds(10), 10) })
        {
            var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions { TripPolicy = policy }, TimeProvider.System, new FuseboxMetrics());
            int i = 0;

            long bytes = AllocatedBy(() =>
            {
                Assert.True(breaker.TryAcquire(out var permit));
                if (++i % 10 == 0)
                {
                    permit.RecordFailure();
                }
                else
                {
                    permit.RecordSuccess();
                }
            });

            Assert.Equal(0, bytes);
        }
    }

    [ZeroAllocationFact]
    public void Rejection_in_the_try_styles_allocates_nothing()
    {
        var breaker = new CircuitBreaker("alloc", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        breaker.Isolate();
        var open = new CircuitBreaker("alloc-open", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        open.Trip();

        Assert.Equal(0, AllocatedBy(() => breaker.TryExecuteAsync(static ct => new ValueTask<int>(1)).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocatedBy(() => open.TryExecuteAsync(static ct => new ValueTask<int>(1)).GetAwaiter().GetResult()));
        Assert.Equal(0, AllocatedBy(() => open.TryExecute(static ct => 1)));
        Assert.Equal(0, AllocatedBy(() => open.TryAcquire(out _)));
    }

    [Fact]
    public void Rejection_in_the_try_styles_throws_no_exception()
    {
        var isolated = new CircuitBreaker("no-throw", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        isolated.Isolate();
        var open = new CircuitBreaker("no-throw-open", new CircuitBreakerOptions(), TimeProvider.System, new FuseboxMetrics());
        open.Trip();

        // The event is process-wide and other test classes throw in parallel; it is raised on the throwing thread, and
        // this loop runs synchronously on one thread, so counting only this thread's exceptions counts only its own.
        int thread = Environment.CurrentManagedThreadId;
        var thrown = new List<string>();
        void Count(object? s, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                thrown.Add(e.Exception.GetType().Name);
            }
        }

        // A rejection completes synchronously, so nothing runs on another thread (and the lambda keeps xUnit1031 quiet
        // about blocking on a task, as the lambdas of AllocatedBy do).
        Func<CircuitBreaker, bool> rejectedAsync = static b => b.TryExecuteAsync(static ct => new ValueTask<int>(1)).GetAwaiter().GetResult().IsRejected;
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            foreach (var breaker in new[] { isolated, open })
            {
                for (int i = 0; i < 100; i++)
                {
                    Assert.True(breaker.TryExecute(static ct => 1).IsRejected);
                    Assert.True(rejectedAsync(breaker));
                    Assert.False(breaker.TryAcquire(out _));
                }
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        Assert.Empty(thrown); // not one, not even a thrown-and-caught one inside the library
    }
}
