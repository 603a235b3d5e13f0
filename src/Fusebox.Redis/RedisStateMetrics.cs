using System.Diagnostics.Metrics;

namespace Fusebox.Redis;

/// <summary>The coordinator's instruments, on the Fusebox meter of the registry (<see cref="FuseboxMetrics.Meter"/>).</summary>
internal sealed class RedisStateMetrics
{
    public const string PropagationDelayName = "fusebox.redis.propagation_delay";
    public const string ErrorsName = "fusebox.redis.errors";
    public const string LocalFallbackName = "fusebox.redis.local_fallback";
    public const string DecisionsName = "fusebox.redis.decisions";
    public const string PrefixTag = "fusebox.redis.prefix";

    private readonly Histogram<double> _propagationDelay;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _decisions;
    private readonly KeyValuePair<string, object?> _prefix;

    public RedisStateMetrics(Meter meter, string prefix, Func<int?> fallback)
    {
        _prefix = new KeyValuePair<string, object?>(PrefixTag, prefix);
        _propagationDelay = meter.CreateHistogram<double>(PropagationDelayName, "ms",
            "Time from a replica sending a shared transition to this replica adopting it (wall clocks of both: meaningful when they are synchronised).");
        _errors = meter.CreateCounter<long>(ErrorsName, "{error}",
            "Failed or timed-out Redis operations of the shared-state coordinator, tagged error.type. Callers never see them.");
        _decisions = meter.CreateCounter<long>(DecisionsName, "{decision}",
            "Shared transitions this replica attempted, tagged fusebox.redis.outcome won or lost.");
        var prefixTag = _prefix;
        meter.CreateObservableGauge(LocalFallbackName, () =>
            fallback() is { } value ? [new Measurement<int>(value, prefixTag)] : Array.Empty<Measurement<int>>(),
            "{state}", "1 while this replica cannot reach Redis and its breakers run on local state alone, else 0.");
    }

    public void RecordPropagation(string breaker, double milliseconds)
    {
        if (_propagationDelay.Enabled)
        {
            _propagationDelay.Record(Math.Max(0, milliseconds), _prefix, new KeyValuePair<string, object?>(FuseboxMetrics.BreakerTag, breaker));
        }
    }

    public void RecordError(Exception exception)
    {
        if (_errors.Enabled)
        {
            _errors.Add(1, _prefix, new KeyValuePair<string, object?>("error.type", exception.GetType().Name));
        }
    }

    public void RecordDecision(string breaker, bool won)
    {
        if (_decisions.Enabled)
        {
            _decisions.Add(1, _prefix, new KeyValuePair<string, object?>(FuseboxMetrics.BreakerTag, breaker),
                new KeyValuePair<string, object?>("fusebox.redis.outcome", won ? "won" : "lost"));
        }
    }
}
