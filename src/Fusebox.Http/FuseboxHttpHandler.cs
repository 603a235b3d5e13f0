using System.Net;
using System.Net.Http.Headers;
using Fusebox.Extensions;
using Microsoft.Extensions.Logging;
using Fusebox.Coordination;

namespace Fusebox.Http;

/// <summary>
/// Runs every request through a circuit breaker — by default one per downstream authority, from the registry.
/// While the breaker is open, requests are not sent at all: the handler throws <see cref="CircuitOpenException"/>
/// or answers a synthesized 503, in microseconds. The handler never sends a request more than once.
/// </summary>
public sealed partial class FuseboxHttpHandler : DelegatingHandler
{
    /// <summary>The header the synthesized 503 carries, naming the breaker that rejected the request.</summary>
    public const string BreakerHeader = "X-Fusebox-Breaker";

    private readonly CircuitBreakerRegistry _registry;
    private readonly FuseboxHttpHandlerOptions _options;
    private readonly ILogger _logger;
    private readonly BreakerGuards _guards;
    private readonly TimeSpan? _singleAttemptTimeout;
    private int _warnedFull;

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
        _guards = new BreakerGuards(registry, options.BreakerName ?? "http",
            options.Retry is null ? static _ => null : breaker => HttpRetry.CreateCaller(breaker, options));
        _singleAttemptTimeout = options.Timeout ?? options.TotalTimeout;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>How many keys the handler's cache holds (for tests).</summary>
    internal int CachedKeys => _guards.Count;

    /// <summary>The breaker that guards <paramref name="request"/>: the registry's current breaker of its name.</summary>
    /// <exception cref="InvalidOperationException">The request has no absolute URI, or the registry is full and no breaker is idle.</exception>
    public CircuitBreaker BreakerFor(HttpRequestMessage request) => _guards.Get(KeyOf(request)).Breaker;

    private string KeyOf(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _options.KeySelector?.Invoke(request) ?? AuthorityOf(request);
    }

    /// <summary>The request's guard, or null when the registry is full: then <paramref name="rejection"/> answers it
    /// as an open circuit would (or the exception to throw is thrown).</summary>
    private Guard? GuardFor(HttpRequestMessage request, out HttpResponseMessage rejection)
    {
        string key = KeyOf(request);
        try
        {
            rejection = null!;
            return _guards.Get(key);
        }
        catch (InvalidOperationException full)
        {
            rejection = RejectFull(_guards.NameOf(key), request, full);
            return null;
        }
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (GuardFor(request, out var full) is not { } guard)
        {
            return full;
        }

        if (guard.Caller is not null && (_options.RetryNonIdempotentMethods || IsIdempotent(request.Method)))
        {
            return await SendWithRetriesAsync(guard, request, cancellationToken).ConfigureAwait(false);
        }

        if (!TryAdmit(guard.Breaker, request, out var permit, out var ticket, out var rejection))
        {
            return rejection;
        }

        using var attempt = new AttemptTimeout(_singleAttemptTimeout, _registry.TimeProvider, cancellationToken);
        var exitAs = AdmissionOutcome.Failed;
        try
        {
            var response = await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
            exitAs = OverloadOf(response);
            return Classify(permit, response);
        }
        catch (Exception ex) when (Record(permit, ex, attempt, ref exitAs) is { } timedOut)
        {
            throw timedOut;
        }
        finally
        {
            Exit(ticket, exitAs);
        }
    }

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Retries are asynchronous waits; the synchronous path sends at most once.
        if (GuardFor(request, out var full) is not { } guard)
        {
            return full;
        }

        if (!TryAdmit(guard.Breaker, request, out var permit, out var ticket, out var rejection))
        {
            return rejection;
        }

        using var attempt = new AttemptTimeout(_singleAttemptTimeout, _registry.TimeProvider, cancellationToken);
        var exitAs = AdmissionOutcome.Failed;
        try
        {
            var response = base.Send(request, attempt.Token);
            exitAs = OverloadOf(response);
            return Classify(permit, response);
        }
        catch (Exception ex) when (Record(permit, ex, attempt, ref exitAs) is { } timedOut)
        {
            throw timedOut;
        }
        finally
        {
            Exit(ticket, exitAs);
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
        catch (AdmissionRejectedException ex) when (_options.WhenOpen == RejectionBehavior.Return503 && ex.CallerName == guard.Breaker.Name)
        {
            return Shed(guard.Breaker, request, ex.StageName, ex.RetryAfter);
        }
    }

    private Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options || method == HttpMethod.Trace
        || method == HttpMethod.Put || method == HttpMethod.Delete;

    private HttpResponseMessage Classify(CircuitPermit permit, HttpResponseMessage response)
    {
        if (_options.ShouldHandleResponse(response))
        {
            // The status reaches the breaker's last failure ("HTTP 503"); a 429 or 503 is the server refusing the
            // request, which adaptive throttling counts as not accepted.
            if (IsOverloaded(response))
            {
                permit.RecordOverloadedResult(response);
            }
            else
            {
                permit.RecordFailedResult(response);
            }
        }
        else
        {
            permit.RecordSuccess();
        }

        return response;
    }

    /// <summary>Records the exception's outcome. Returns the exception to throw instead when the handler's own timeout
    /// fired, or null to let the original propagate untouched (an exception filter: the stack trace is kept).</summary>
    private Exception? Record(CircuitPermit permit, Exception ex, AttemptTimeout attempt, ref AdmissionOutcome exitAs)
    {
        if (ex is OperationCanceledException && attempt.TimedOut)
        {
            exitAs = AdmissionOutcome.Overloaded;
            var timeout = new CallTimeoutException(_singleAttemptTimeout!.Value, ex);
            permit.RecordFailure(timeout); // a timeout, not a cancellation, for the statistics and the duration histogram
            return timeout;
        }

        if (ex is OperationCanceledException && attempt.CallerCancelled)
        {
            exitAs = AdmissionOutcome.Ignored;
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

        return Synthesized503(request, breaker.Name, "Circuit Open", $"Circuit breaker '{breaker.Name}' is {(state == BreakerState.Closed ? "throttling" : StateNames.Of(state))}; the request was not sent.", retryAfter);
    }

    /// <summary>
    /// The registry is full (MaxBreakers) and nothing in it is idle, so the request's host has no breaker. Sending it
    /// unguarded would let the unbounded set of names the limit exists for through after all, and one breaker shared by
    /// every such host would let one dead host block the others where no admin API sees it; so the request is not sent
    /// and the caller hears it as it hears an open circuit. Each refused add moves the registry's idle sweep on, so the
    /// host gets its breaker once a slot goes idle. Logged once per handler at Warning (handlers rotate every few minutes).
    /// </summary>
    private HttpResponseMessage RejectFull(string name, HttpRequestMessage request, InvalidOperationException full)
    {
        string reason = $"No circuit breaker could be created for '{name}': {full.Message} The request was not sent; " +
            "raise Fusebox:MaxBreakers or set Fusebox:EvictAfterIdle.";
        if (Interlocked.Exchange(ref _warnedFull, 1) == 0)
        {
            HttpLog.RegistryFull(_logger, name, full.Message);
        }

        if (_options.WhenOpen == RejectionBehavior.Throw)
        {
            throw new CircuitOpenException(reason, full);
        }

        return Synthesized503(request, name, "Circuit Breaker Registry Full", reason, retryAfter: null);
    }

    private static HttpResponseMessage Synthesized503(HttpRequestMessage request, string breakerName, string reasonPhrase, string body, TimeSpan? retryAfter)
    {
        var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            RequestMessage = request,
            ReasonPhrase = reasonPhrase,
            Content = new StringContent(body),
        };
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(1)).TotalSeconds)));
        response.Headers.TryAddWithoutValidation(BreakerHeader, breakerName);
        return response;
    }

    private static string AuthorityOf(HttpRequestMessage request)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("The request has no RequestUri; the Fusebox handler needs one to choose a breaker.");
        if (!uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException($"The request URI '{uri}' is relative; the Fusebox handler needs an absolute URI to choose a breaker.");
        }

        // Scheme, host and port, the port always written (so "http://a" and "http://a:80", one authority, share a
        // breaker, and the name says which port), and never the user-info: a name is a metrics tag and a log field.
        return uri.GetComponents(UriComponents.Scheme | UriComponents.Host | UriComponents.StrongPort, UriFormat.UriEscaped);
    }
}
