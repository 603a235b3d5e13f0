using System.Diagnostics.Metrics;

namespace Fusebox;

/// <summary>The <see cref="ResilientCaller"/> instruments on the <c>Fusebox</c> meter, tagged <c>fusebox.breaker</c>.
/// Each recording checks <see cref="Instrument.Enabled"/> first, so nobody listening costs one field read.</summary>
internal sealed class ResilienceMetrics
{
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _budgetExhausted;
    private readonly Counter<long> _timeouts;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _shed;
    private readonly Counter<long> _hedges;

    public ResilienceMetrics(Meter meter)
    {
        _attempts = meter.CreateCounter<long>("fusebox.attempts", "{attempt}", "Attempts made by resilient callers, first attempts included.");
        _retries = meter.CreateCounter<long>("fusebox.retries", "{retry}", "Retries made by resilient callers.");
        _budgetExhausted = meter.CreateCounter<long>("fusebox.retry_budget_exhausted", "{retry}", "Retries refused because the retry budget was empty.");
        _timeouts = meter.CreateCounter<long>("fusebox.timeouts", "{timeout}", "Attempt and overall timeouts, tagged fusebox.timeout = attempt or overall.");
        _shed = meter.CreateCounter<long>("fusebox.admission_rejected", "{attempt}", "Attempts an admission stage (concurrency limiter) refused: load shed, not sent, never breaker failures.");
        _hedges = meter.CreateCounter<long>("fusebox.hedges", "{attempt}", "Hedged attempts sent by resilient callers.");
        _fallbacks = meter.CreateCounter<long>("fusebox.fallbacks", "{fallback}", "Fallbacks used, tagged fusebox.reason = rejected or failed.");
    }

    public void Attempt(string name) => Add(_attempts, name);

    public void Retry(string name) => Add(_retries, name);

    public void BudgetExhausted(string name) => Add(_budgetExhausted, name);

    public void Shed(string name) => Add(_shed, name);

    public void Hedge(string name) => Add(_hedges, name);

    public void Timeout(string name, bool overall)
    {
        if (_timeouts.Enabled)
        {
            _timeouts.Add(1, new KeyValuePair<string, object?>(FuseboxMetrics.BreakerTag, name), new KeyValuePair<string, object?>("fusebox.timeout", overall ? "overall" : "attempt"));
        }
    }

    public void Fallback(string name, FallbackReason reason)
    {
        if (_fallbacks.Enabled)
        {
            _fallbacks.Add(1, new KeyValuePair<string, object?>(FuseboxMetrics.BreakerTag, name),
                new KeyValuePair<string, object?>("fusebox.reason", reason == FallbackReason.Rejected ? "rejected" : "failed"));
        }
    }

    private static void Add(Counter<long> counter, string name)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>(FuseboxMetrics.BreakerTag, name));
        }
    }
}
