using System.Globalization;

namespace Fusebox.Http;

/// <summary>
/// Options of the handler <see cref="FuseboxStandardHandlerExtensions.AddFuseboxStandardHandler(Microsoft.Extensions.DependencyInjection.IHttpClientBuilder, Action{FuseboxStandardHandlerOptions}?)"/>
/// adds: the layers and defaults of <c>AddStandardResilienceHandler()</c> (Microsoft.Extensions.Http.Resilience) with a
/// Fusebox breaker per authority. Named options: the name is the client's (<c>http</c> for
/// <c>ConfigureHttpClientDefaults</c> and the unnamed client), so <c>services.Configure&lt;FuseboxStandardHandlerOptions&gt;("fraud", ...)</c>
/// and configuration binding work as for any <c>IOptions</c>. The breakers' own settings come from
/// <c>Fusebox:Breakers:{name}</c>, which the handler fills with the standard breaker's defaults where it is silent.
/// </summary>
public sealed class FuseboxStandardHandlerOptions
{
    /// <summary>The limit of a whole request, retries and back-off included. Default 30 s, as the standard handler's
    /// total request timeout; (0, 1 day] and at least <see cref="AttemptTimeout"/>.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The limit of each attempt; counts as a failure and is retried. Default 10 s, as the standard handler's
    /// attempt timeout; (0, 1 day]. The breaker's time window must be at least twice as long.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The retries: default 4 attempts (the standard's 3 retries), exponential from 2 s with full jitter, capped at 30 s;
    /// the <c>Retry-After</c> of a 429 or 503 sets the delay. When <see cref="RetryOptions.Budget"/> is null, each name
    /// gets a <see cref="RetryBudget"/> of its own (20 % of calls plus 10 retries a second, over 10 s) on the container's
    /// <see cref="TimeProvider"/>; set one instance on several clients to give them one budget. <c>MaxAttempts = 1</c>
    /// turns retries off.
    /// </summary>
    public RetryOptions Retry { get; set; } = new() { MaxAttempts = 4, BaseDelay = TimeSpan.FromSeconds(2) };

    /// <summary>Also retry POST, PATCH and other non-idempotent methods (their content is then buffered). Default false:
    /// unlike the standard handler, which retries every method unless told not to, a payment is not sent twice by default.</summary>
    public bool RetryNonIdempotentMethods { get; set; }

    /// <summary>Throw <see cref="CircuitOpenException"/> (default) or return a synthesized 503 when a breaker rejects.
    /// Keep <see cref="RejectionBehavior.Throw"/> below another retrying handler: it would retry a synthesized 503.</summary>
    public RejectionBehavior WhenOpen { get; set; } = RejectionBehavior.Throw;

    /// <summary>Throws when a value is out of range or the timeouts contradict each other, naming the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public void Validate()
    {
        Check(TotalTimeout, nameof(TotalTimeout));
        Check(AttemptTimeout, nameof(AttemptTimeout));
        if (TotalTimeout < AttemptTimeout)
        {
            throw new ArgumentOutOfRangeException($"FuseboxStandardHandlerOptions.{nameof(TotalTimeout)}", TotalTimeout, string.Create(CultureInfo.InvariantCulture,
                $"FuseboxStandardHandlerOptions.TotalTimeout ({TotalTimeout}) must be at least FuseboxStandardHandlerOptions.AttemptTimeout ({AttemptTimeout})."));
        }

        ArgumentNullException.ThrowIfNull(Retry, "FuseboxStandardHandlerOptions.Retry");
        Retry.Validate();
        if (!Enum.IsDefined(WhenOpen))
        {
            throw new ArgumentOutOfRangeException($"FuseboxStandardHandlerOptions.{nameof(WhenOpen)}", WhenOpen, "FuseboxStandardHandlerOptions.WhenOpen must be Throw or Return503.");
        }
    }

    /// <summary>The plain handler's options these amount to, for the breakers named <c>{breakerName}/{authority}</c>.</summary>
    internal FuseboxHttpHandlerOptions ToHandlerOptions(string breakerName) => new()
    {
        BreakerName = breakerName,
        Timeout = AttemptTimeout,
        TotalTimeout = TotalTimeout,
        Retry = Retry,
        RetryNonIdempotentMethods = RetryNonIdempotentMethods,
        WhenOpen = WhenOpen,
    };

    private static void Check(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException($"FuseboxStandardHandlerOptions.{name}", value,
                $"FuseboxStandardHandlerOptions.{name} must be greater than zero and at most 1.00:00:00 (was {value}).");
        }
    }
}
