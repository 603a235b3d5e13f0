using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Fusebox.Extensions;
using Microsoft.Extensions.Logging;

namespace Fusebox.Http;

/// <summary>
/// Runs every request through a circuit breaker — by default one per downstream authority, from the registry.
/// While the breaker is open, requests are not sent at all: the handler throws <see cref="BrokenCircuitException"/>
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

    // Authority → breaker, so the registry and the name concatenation are paid once per host, not per request.
    private readonly ConcurrentDictionary<string, CircuitBreaker> _breakers = new(StringComparer.Ordinal);

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
    public CircuitBreaker BreakerFor(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string key = _options.KeySelector?.Invoke(request) ?? AuthorityOf(request);
        return _breakers.TryGetValue(key, out var breaker) ? breaker : _breakers.GetOrAdd(key, CreateBreaker);
    }

    /// <inheritdoc/>
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var breaker = BreakerFor(request);
        if (!breaker.TryAcquire(out var permit, out var retryAfter))
        {
            return Reject(breaker, request, retryAfter);
        }

        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Record(permit, ex, cancellationToken);
            throw;
        }

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

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var breaker = BreakerFor(request);
        if (!breaker.TryAcquire(out var permit, out var retryAfter))
        {
            return Reject(breaker, request, retryAfter);
        }

        HttpResponseMessage response;
        try
        {
            response = base.Send(request, cancellationToken);
        }
        catch (Exception ex)
        {
            Record(permit, ex, cancellationToken);
            throw;
        }

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

    private void Record(CircuitPermit permit, Exception ex, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
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
    }

    private HttpResponseMessage Reject(CircuitBreaker breaker, HttpRequestMessage request, TimeSpan? retryAfter)
    {
        var state = breaker.State;
        FuseboxLog.CallRejected(_logger, breaker.Name, state, retryAfter);
        if (_options.WhenOpen == RejectionBehavior.Throw)
        {
            throw new BrokenCircuitException(breaker.Name, state, retryAfter);
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
    private CircuitBreaker CreateBreaker(string key) => _registry.GetOrAdd($"{_breakerName}/{key}");

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
