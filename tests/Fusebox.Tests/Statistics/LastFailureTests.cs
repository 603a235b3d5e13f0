using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Statistics;

public class LastFailureTests
{
    private static (CircuitBreaker Breaker, FakeTimeProvider Time) Collecting(ResultPredicate? results = null)
    {
        var time = new FakeTimeProvider();
        var options = new CircuitBreakerOptions { CollectStatistics = true, TripPolicy = TripPolicy.ConsecutiveFailures(1000), ShouldHandleResult = results };
        return (new CircuitBreaker("stats", options, time, new FuseboxMetrics()), time);
    }

    [Fact]
    public void An_exception_is_kept_with_its_type_and_message_on_one_line()
    {
        var (breaker, time) = Collecting();
        Assert.Throws<HttpRequestException>(() => breaker.Execute<int>(static _ => throw new HttpRequestException("Connection refused\r\n  (payments:443)")));

        Assert.Equal(new FailureRecord(time.GetUtcNow(), FailureKind.Exception, "HttpRequestException", "Connection refused (payments:443)"),
            breaker.Snapshot().Statistics!.LastFailure);
    }

    [Fact]
    public void A_long_message_is_cut_to_200_characters()
    {
        var (breaker, _) = Collecting();
        string message = new string('x', 150) + "\n" + new string('y', 150);
        Assert.Throws<InvalidOperationException>(() => breaker.Execute<int>(_ => throw new InvalidOperationException(message)));

        string detail = breaker.Snapshot().Statistics!.LastFailure!.Detail!;
        Assert.Equal(200, detail.Length);
        Assert.Equal(new string('x', 150) + " " + new string('y', 48) + "…", detail);
    }

    [Fact]
    public void A_timeout_is_told_apart_from_other_exceptions()
    {
        var (breaker, time) = Collecting();
        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordException(new CallTimeoutException(TimeSpan.FromSeconds(2)));

        var stats = breaker.Snapshot().Statistics!;
        Assert.Equal(FailureKind.Timeout, stats.LastFailure!.Kind);
        Assert.Equal("CallTimeoutException", stats.LastFailure.Type);
        Assert.Equal((1, 1), (stats.Failures, stats.Timeouts));

        Assert.True(breaker.TryAcquire(out var polly));
        polly.RecordFailure(new TimeoutRejectedException("The operation didn't complete within the allowed timeout of '00:00:01'."));
        Assert.Equal(new FailureRecord(time.GetUtcNow(), FailureKind.Timeout, "TimeoutRejectedException",
            "The operation didn't complete within the allowed timeout of '00:00:01'."), breaker.Snapshot().Statistics!.LastFailure);
        Assert.Equal(2, breaker.Snapshot().Statistics!.Timeouts);
    }

    [Fact]
    public void A_failing_HTTP_response_is_described_by_its_status()
    {
        var (breaker, time) = Collecting(ResultPredicate.Handle<HttpResponseMessage>(static r => (int)r.StatusCode >= 500));
        using var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        Assert.Same(response, breaker.Execute(_ => response));

        Assert.Equal(new FailureRecord(time.GetUtcNow(), FailureKind.Result, "HTTP 503", "Service Unavailable"), breaker.Snapshot().Statistics!.LastFailure);
    }

    [Fact]
    public async Task Any_other_failing_result_is_described_by_its_type_in_every_call_style()
    {
        var (breaker, _) = Collecting(ResultPredicate.Handle<int>(static r => r < 0));
        await breaker.ExecuteAsync(static (_, _) => new ValueTask<int>(-1), 0);
        Assert.Equal(new FailureRecord(breaker.TimeProvider.GetUtcNow(), FailureKind.Result, "Int32", null), breaker.Snapshot().Statistics!.LastFailure);

        Assert.True(breaker.TryAcquire(out var permit));
        permit.RecordFailure(); // no detail given
        Assert.Equal(new FailureRecord(breaker.TimeProvider.GetUtcNow(), FailureKind.Exception, "failure", null), breaker.Snapshot().Statistics!.LastFailure);
        Assert.Equal(2, breaker.Snapshot().Statistics!.Failures);
    }
}

/// <summary>Named as Polly's timeout exception is (the core matches it by name, not by reference).</summary>
public sealed class TimeoutRejectedException(string message) : Exception(message);
