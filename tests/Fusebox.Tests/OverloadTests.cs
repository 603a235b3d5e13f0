using Fusebox.Tests.Support;

namespace Fusebox.Tests;

/// <summary>Every async call style takes Task and ValueTask operations, with and without state; an async lambda,
/// which fits both, picks the ValueTask overload instead of being ambiguous (these tests are compile-time checks too).</summary>
public class OverloadTests
{
    private sealed class FraudService
    {
        public int Calls;

        public Task<bool> CheckAsync(int amount, CancellationToken ct)
        {
            Calls++;
            return Task.FromResult(amount < 1000);
        }

        public Task RecordAsync(int amount, CancellationToken ct)
        {
            Calls++;
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Task_returning_operations_with_state_work_in_every_async_style()
    {
        var (breaker, _) = TestBreakers.Create();
        var fraud = new FraudService();

        bool viaExecute = await breaker.ExecuteAsync(static (s, ct) => s.fraud.CheckAsync(s.amount, ct), (fraud, amount: 10));
        var viaTry = await breaker.TryExecuteAsync(static (s, ct) => s.fraud.CheckAsync(s.amount, ct), (fraud, amount: 5000));
        await breaker.ExecuteAsync(static (s, ct) => s.RecordAsync(1, ct), fraud);
        await breaker.ExecuteAsync(static (s, ct) => new ValueTask(s.RecordAsync(1, ct)), fraud);

        Assert.True(viaExecute);
        Assert.False(viaTry.Value);
        Assert.Equal((4, 4L), (fraud.Calls, breaker.Snapshot().SuccessfulCalls));
    }

    [Fact]
    public async Task Async_lambdas_resolve_to_the_ValueTask_overloads()
    {
        var (breaker, _) = TestBreakers.Create();

        int a = await breaker.ExecuteAsync(async ct => { await Task.Yield(); return 1; });
        int b = await breaker.ExecuteAsync(static async (s, ct) => { await Task.Yield(); return s; }, 2);
        await breaker.ExecuteAsync(static async (s, ct) => await Task.Yield(), 3);
        var c = await breaker.TryExecuteAsync(static async (s, ct) => { await Task.Yield(); return s; }, 4);

        Assert.Equal((1, 2, 4), (a, b, c.Value));
    }

    [Fact]
    public async Task A_Task_operation_that_throws_synchronously_or_later_is_recorded_and_rethrown()
    {
        var (breaker, _) = TestBreakers.Create();

        await Assert.ThrowsAsync<DependencyDownException>(() =>
            breaker.ExecuteAsync(static (s, ct) => Task.FromException<int>(new DependencyDownException()), 0).AsTask());
        await Assert.ThrowsAsync<DependencyDownException>(() =>
            breaker.ExecuteAsync(new Func<int, CancellationToken, Task>(static (s, ct) => throw new DependencyDownException()), 0).AsTask());

        Assert.Equal(2, breaker.Snapshot().FailedCalls);
    }
}
