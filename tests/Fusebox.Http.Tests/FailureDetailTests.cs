namespace Fusebox.Http.Tests;

/// <summary>What the handler tells the breaker's rolling statistics about a failure: the dashboard's "why".</summary>
public class FailureDetailTests : OneServerTests
{
    private static readonly Dictionary<string, string?> Statistics = new() { ["Fusebox:Breakers:fraud:CollectStatistics"] = "true" };

    private Uri Url => new(Server.BaseAddress, "check/tx-1");

    [Fact]
    public async Task A_server_error_is_recorded_with_its_HTTP_status()
    {
        using var fixture = new ClientFixture(settings: Statistics);
        Server.Behavior = Behavior.ServerError;

        using var _ = await fixture.Client.GetAsync(Url, TestContext.Current.CancellationToken);

        // Before: RecordFailure() without the response, so the last failure read "failure" with no status.
        var last = fixture.BreakerFor(Server.BaseAddress).Snapshot().Statistics!.LastFailure!;
        Assert.Equal((FailureKind.Result, "HTTP 500"), (last.Kind, last.Type));
    }

    [Fact]
    public async Task The_handler_timeout_is_recorded_as_a_timeout()
    {
        using var fixture = new ClientFixture(o => o.Timeout = TimeSpan.FromSeconds(2), settings: Statistics);
        Server.Behavior = Behavior.Hang;

        var pending = fixture.Client.GetAsync(Url, TestContext.Current.CancellationToken);
        await WaitUntilAsync(() => Server.Requests == 1);
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<CallTimeoutException>(() => pending);

        // Before: the attempt's OperationCanceledException was recorded, a plain exception failure.
        var statistics = fixture.BreakerFor(Server.BaseAddress).Snapshot().Statistics!;
        Assert.Equal((1L, 1L), (statistics.Failures, statistics.Timeouts));
        Assert.Equal((FailureKind.Timeout, nameof(CallTimeoutException)), (statistics.LastFailure!.Kind, statistics.LastFailure.Type));
    }
}
