namespace Fusebox.Tests;
public class SmokeTests
{
    static Task<int> CallAsync(CancellationToken ct) => Task.FromResult(1);
    [Fact] public async Task Works()
    {
        var b = new CircuitBreaker("x");
        Assert.Equal(1, await b.ExecuteAsync(async ct => { await Task.Yield(); return 1; }));
        Assert.Equal(1, await b.ExecuteAsync(ct => CallAsync(ct)));
        Assert.Equal(1, await b.ExecuteAsync(CallAsync));
        await b.ExecuteAsync(async ct => { await Task.Yield(); });
    }
}
