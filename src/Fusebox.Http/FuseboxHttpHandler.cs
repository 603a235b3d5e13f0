using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Fusebox.Extensions;
using Microsoft.Extensions.Logging;

namespace Fusebox.Http;

/// <summary>
/// Runs every request through a circuit breaker — by default one per downstream authority, from the registry.
/// While the breaker is open, requests are not sent at all: the handler throws <see cref="CircuitOpenException"/>
/// or answers a synthesized 503, in microseconds. The handler never sends a request more than once.
/// </summary>
public sealed class FuseboxHttpHandler : DelegatingHandler
{
    /// <summary>The header the synthesized 503 carries, naming the breaker that rejected the request.</summary>
    public const string BreakerHeader = "X-Fusebox-Breaker";

    private readonly CircuitBreakerRegistry _registry;
    private readonly FuseboxHttpHandlerOptions _options;
    private readonly ILogger _logger;
    private readonly string _breakerName;

    // Authority → breaker (and caller), so the registry and the name concatenation are paid once per host, not per request.
    private readonly ConcurrentDictionary<string, Guard> _guards = new(StringComparer.Ordinal);

    /// <summary>Creates the handler.</summary>
    /// <param name="registry">Where the breakers live.</param>
    /// <param name="options">Handler options (validated now).</param>
    /// <param name="logger">Logs rejections at debug level; may be null.</param>
    public FuseboxHttpHandler(CircuitBreakerRegistry registry, FuseboxHttpHandlerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _registry = registry;
        _options = options;
        _breakerName = options.BreakerName ?? "http";
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The breaker that guards <paramref name="request"/>.</summary>
    public CircuitBreaker BreakerFor(HttpRequestMessage request) => GuardFor(request).Breaker;

    private Guard GuardFor(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string key = _options.KeySelector?.Invoke(request) ?? AuthorityOf(request);
        return _guards.TryGetValue(key, out var guard) ? guard : _guards.GetOrAdd(key, CreateGuard);
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var guard = GuardFor(request);
        if (guard.Caller is not null && (_options.RetryNonIdempotentMethods || IsIdempotent(request.Method)))
        {
            return await SendWithRetriesAsync(guard, request, cancellationToken).ConfigureAwait(false);
        }

        if (!TryAdmit(guard.Breaker, request, out var permit, out var rejection))
        {
            return rejection;
        }

        using var attempt = new AttemptTimeout(_options.Timeout, _registry.TimeProvider, cancellationToken);
        try
        {
            return Classify(permit, await base.SendAsync(request, attempt.Token).ConfigureAwait(false));
        }
        catch (Exception ex) when (Record(permit, ex, attempt) is { } timedOut)
        {
            throw timedOut;
        }
    }

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Retries are asynchronous waits; the synchronous path sends at most once.
        if (!TryAdmit(GuardFor(request).Breaker, request, out var permit, out var rejection))
        {
            return rejection;
        }

        using var attempt = new AttemptTimeout(_options.Timeout, _registry.TimeProvider, cancellationToken);
        try
        {
            return Classify(permit, base.Send(request, attempt.Token));
        }
        catch (Exception ex) when (Record(permit, ex, attempt) is { } timedOut)
        {
            throw timedOut;
        }
    }

    private async Task<HttpResponseMessage> SendWithRetriesAsync(Guard guard, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // Sending the same content again needs it in memory; only requests that may be retried pay for that.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var result = await guard.Caller!.ExecuteAsync(
                static (s, ct) => new ValueTask<HttpResponseMessage>(s.Handler.SendOnceAsync(s.Request, ct)),
                (Handler: this, Request: request), cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.Value;
        }
        catch (CircuitOpenException ex) when (ex.BreakerName == guard.Breaker.Name)
        {
            return Reject(guard.Breaker, request, ex.RetryAfter);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Trace
        || method == HttpMethod.Put || method == HttpMethod.Delete;

    private bool TryAdmit(CircuitBreaker breaker, HttpRequestMessage request, out CircuitPermit permit, out HttpResponseMessage rejection)
    {
        if (breaker.TryAcquire(out permit, out var retryAfter))
        {
            rejection = null!;
            return true;
        }

        rejection = Reject(breaker, request, retryAfter);
        return false;
    }

    private HttpResponseMessage Classify(CircuitPermit permit, HttpResponseMessage response)
    {
        if (_options.ShouldHandleResponse(response))
        {
            permit.RecordFailure();
        }
        else
        {
            permit.RecordSuccess();
        }

        return response;
    }

    /// <summary>Records the exception's outcome. Returns the exception to throw instead when the handler's own timeout
    /// fired, or null to let the original propagate untouched (an exception filter: the stack trace is kept).</summary>
    private Exception? Record(CircuitPermit permit, Exception ex, AttemptTimeout attempt)
    {
        if (ex is OperationCanceledException && attempt.TimedOut)
        {
            permit.RecordFailure(ex);
            return new CallTimeoutException(_options.Timeout!.Value, ex);
        }

        if (ex is OperationCanceledException && attempt.CallerCancelled)
        {
            permit.Release(); // the caller gave up: says nothing about the dependency
        }
        else if (_options.ShouldHandleException(ex))
        {
            permit.RecordFailure(ex);
        }
        else
        {
            permit.Release();
        }

        return null;
    }

    private HttpResponseMessage Reject(CircuitBreaker breaker, HttpRequestMessage request, TimeSpan? retryAfter)
    {
        var state = breaker.State;
        FuseboxLog.CallRejected(_logger, breaker.Name, state, retryAfter);
        if (_options.WhenOpen == RejectionBehavior.Throw)
        {
            throw new CircuitOpenException(breaker.Name, state, retryAfter);
        }

        var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            RequestMessage = request,
            ReasonPhrase = "Circuit Open",
            Content = new StringContent($"Circuit breaker '{breaker.Name}' is {StateNames.Of(state)}; the request was not sent."),
        };
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds)));
        response.Headers.TryAddWithoutValidation(BreakerHeader, breaker.Name);
        return response;
    }

    // The registry resolves options by name; configuration gives "name/key" the settings of "name" (see FuseboxOptions.Breakers).
    private Guard CreateGuard(string key)
    {
        var breaker = _registry.GetOrAdd($"{_breakerName}/{key}");
        return new Guard(breaker, _options.Retry is null ? null : HttpRetry.CreateCaller(breaker, _options));
    }

    private sealed record Guard(CircuitBreaker Breaker, ResilientCaller? Caller);

    private static string AuthorityOf(HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no RequestUri; the Fusebox handler needs one to choose a breaker.");
        if (!uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException($"The request URI '{uri}' is relative; the Fusebox handler needs an absolute URI to choose a breaker.");
        }

        return uri.GetLeftPart(UriPartial.Authority);
    }
}
