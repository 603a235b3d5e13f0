using System.Net;

namespace Fusebox.Http;

/// <summary>What the Fusebox handler does when its breaker rejects a request.</summary>
public enum RejectionBehavior
{
    /// <summary>Throw <see cref="CircuitOpenException"/> (default).</summary>
    Throw,

    /// <summary>Return a synthesized <c>503 Service Unavailable</c> with a <c>Retry-After</c> header, so callers that
    /// only look at status codes keep working. The response carries the header <c>X-Fusebox-Breaker</c>.</summary>
    Return503,
}

/// <summary>Options of <see cref="FuseboxHttpHandler"/>.</summary>
public sealed class FuseboxHttpHandlerOptions
{
    /// <summary>
    /// The name breakers are configured under (<c>Fusebox:Breakers:{BreakerName}</c>) and the prefix of their names.
    /// Default: the <see cref="HttpClient"/>'s name. With the default key selector each authority gets its own
    /// breaker named <c>{BreakerName}/{scheme}://{host}:{port}</c>.
    /// </summary>
    public string? BreakerName { get; set; }

    /// <summary>
    /// Chooses the breaker key of a request (appended to <see cref="BreakerName"/>). Default: the request's
    /// authority (scheme, host and port), so one dead host does not block another behind the same client.
    /// Return a constant for one breaker per client.
    /// </summary>
    public Func<HttpRequestMessage, string>? KeySelector { get; set; }

    /// <summary>
    /// Per-request timeout enforced inside the handler, on the registry's <see cref="TimeProvider"/>; null (default) for
    /// none. When it fires the request is cancelled, counted as a failure and <see cref="CallTimeoutException"/>
    /// is thrown. Use it rather than relying on <see cref="HttpClient.Timeout"/> alone: HttpClient cancels its
    /// handlers through the caller's token, so inside the handler its timeout cannot be told from the caller giving
    /// up (which is never a failure). Keep it below <see cref="HttpClient.Timeout"/>. (0, 1 day].
    /// </summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>
    /// The limit of a whole request, retries and their back-off waits included, on the registry's
    /// <see cref="TimeProvider"/>; null (default) for none. When it fires the request is cancelled, counted as a failure
    /// and <see cref="CallTimeoutException"/> is thrown, without a further retry. A request that is not retried gets
    /// <see cref="Timeout"/> when set, else this. (0, 1 day], and at least <see cref="Timeout"/>.
    /// </summary>
    public TimeSpan? TotalTimeout { get; set; }

    /// <summary>
    /// Retries inside the breaker (the full <see cref="ResilientCaller"/>); null (default) for none, so that a request
    /// is never sent twice by this handler. Failed responses (see <see cref="ShouldHandleResponse"/>) and exceptions
    /// (see <see cref="ShouldHandleException"/>) are retried unless the options say otherwise, a <c>Retry-After</c>
    /// header on a 429 or 503 sets the delay (capped by <see cref="RetryOptions.MaxDelay"/>), and the whole sequence
    /// counts once for the breaker. Only idempotent methods are retried unless <see cref="RetryNonIdempotentMethods"/>.
    /// </summary>
    public RetryOptions? Retry { get; set; }

    /// <summary>
    /// An admission stage asked before each send, inside the breaker, e.g. a concurrency limiter from Fusebox.RateLimiting
    /// (<c>limiter.ToAdmission()</c>); null (default) for none. Create it once and assign the same instance here: the
    /// options are built again at every handler rotation, and a new limiter each time would forget what it learnt. A
    /// refused request is not sent and never counts as a breaker failure: the handler throws
    /// <see cref="AdmissionRejectedException"/> or, with <see cref="RejectionBehavior.Return503"/>, answers a synthesized 503
    /// (reason phrase "Load Shed"). A timeout tells the stage the dependency is overloaded, and so does a 429 or 503
    /// answer to a request sent once (with <see cref="Retry"/>, each attempt's answer counts as a plain sample).
    /// </summary>
    public CallAdmission? Admission { get; set; }

    /// <summary>Also retry POST, PATCH and other non-idempotent methods (their content is then buffered). Default false.</summary>
    public bool RetryNonIdempotentMethods { get; set; }

    /// <summary>Throw (default) or return a synthesized 503 when the breaker (or the <see cref="Admission"/> stage) rejects.</summary>
    public RejectionBehavior WhenOpen { get; set; } = RejectionBehavior.Throw;

    /// <summary>Which responses count as failures. Default: 5xx, 408 and 429 (<see cref="IsTransientFailure"/>);
    /// any other status, 4xx included, means the dependency is up.</summary>
    public Func<HttpResponseMessage, bool> ShouldHandleResponse { get; set; } = static r => IsTransientFailure(r.StatusCode);

    /// <summary>Which exceptions count as failures. Default: <see cref="HttpRequestException"/>, <see cref="TimeoutException"/>
    /// and cancellations the caller did not ask for (an <see cref="HttpClient.Timeout"/>). Other exceptions (a bug in
    /// the caller's request, say) are passed through and counted as ignored.</summary>
    public Func<Exception, bool> ShouldHandleException { get; set; } = static ex =>
        ex is HttpRequestException or TimeoutException or OperationCanceledException;

    /// <summary>True for 5xx, 408 Request Timeout and 429 Too Many Requests.</summary>
    public static bool IsTransientFailure(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    internal void Validate()
    {
        if (BreakerName is { Length: 0 })
        {
            throw new ArgumentException("FuseboxHttpHandlerOptions.BreakerName must not be empty when set.", nameof(BreakerName));
        }

        if (!Enum.IsDefined(WhenOpen))
        {
            throw new ArgumentOutOfRangeException(nameof(WhenOpen), WhenOpen, "FuseboxHttpHandlerOptions.WhenOpen must be Throw or Return503.");
        }

        if (Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), timeout,
                $"FuseboxHttpHandlerOptions.Timeout must be greater than zero and at most 1.00:00:00 (was {timeout}).");
        }

        if (TotalTimeout is { } total && (total <= TimeSpan.Zero || total > TimeSpan.FromDays(1)))
        {
            throw new ArgumentOutOfRangeException(nameof(TotalTimeout), total,
                $"FuseboxHttpHandlerOptions.TotalTimeout must be greater than zero and at most 1.00:00:00 (was {total}).");
        }

        if (TotalTimeout < Timeout)
        {
            throw new ArgumentOutOfRangeException(nameof(TotalTimeout), TotalTimeout,
                $"FuseboxHttpHandlerOptions.TotalTimeout ({TotalTimeout}) must be at least FuseboxHttpHandlerOptions.Timeout ({Timeout}): a request is never allowed less than one attempt.");
        }

        Retry?.Validate();
        ArgumentNullException.ThrowIfNull(ShouldHandleResponse, "FuseboxHttpHandlerOptions.ShouldHandleResponse");
        ArgumentNullException.ThrowIfNull(ShouldHandleException, "FuseboxHttpHandlerOptions.ShouldHandleException");
    }
}
