using Fusebox.Coordination;
namespace Fusebox.Http;

/// <summary>Builds the <see cref="ResilientCaller"/> the handler retries through: HTTP-aware predicates, the
/// server's <c>Retry-After</c> as the delay, and disposal of each failed response before the next attempt.</summary>
internal static class HttpRetry
{
    private static readonly ResultPredicate s_overloadedResponse = ResultPredicate.Handle<HttpResponseMessage>(FuseboxHttpHandler.IsOverloaded);

    public static ResilientCaller CreateCaller(CircuitBreaker breaker, FuseboxHttpHandlerOptions options)
    {
        var retry = options.Retry!.Clone();
        var failedResponse = ResultPredicate.Handle(options.ShouldHandleResponse);
        var clock = breaker.TimeProvider;
        retry.ShouldRetryResult ??= failedResponse;
        retry.ShouldRetryException ??= options.ShouldHandleException;
        retry.DelayHint ??= c => RetryAfterOf(c.Result as HttpResponseMessage, clock);
        var userOnRetry = retry.OnRetry;
        retry.OnRetry = e =>
        {
            userOnRetry?.Invoke(e);
            (e.Result as HttpResponseMessage)?.Dispose(); // the caller only ever sees the final response
        };

        return new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = retry,
            Timeout = new TimeoutOptions { AttemptTimeout = options.Timeout, OverallTimeout = options.TotalTimeout },
            ShouldHandleResult = failedResponse,
            Admission = options.Admission,
            IsOverloadResult = s_overloadedResponse, // as on the send-once path: AIMD backs off, throttling counts it not accepted
        });
    }

    /// <summary>The delay a 429 or 503 asks for with its <c>Retry-After</c> header (seconds, or an HTTP date read
    /// against <paramref name="clock"/>, the breaker's).</summary>
    public static TimeSpan? RetryAfterOf(HttpResponseMessage? response, TimeProvider clock)
    {
        if (response is null || response.StatusCode is not (System.Net.HttpStatusCode.TooManyRequests or System.Net.HttpStatusCode.ServiceUnavailable))
        {
            return null;
        }

        var header = response.Headers.RetryAfter;
        return header?.Delta ?? (header?.Date is { } date ? date - clock.GetUtcNow() : null);
    }
}
