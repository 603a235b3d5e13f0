using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Resilience;

public class AdmissionMetricsTests
{
    [Fact]
    public async Task Shed_attempts_and_sent_hedges_are_counted_with_the_breaker_tag()
    {
        using var metrics = new FuseboxMetrics();
        using var shed = new MetricCollector<long>(metrics.Meter, "fusebox.admission_rejected");
        using var hedges = new MetricCollector<long>(metrics.Meter, "fusebox.hedges");
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("fraud", new CircuitBreakerOptions(), time, metrics);
        var full = new ResilientCaller(breaker, new ResilientCallerOptions { Admission = new RecordingAdmission(slots: 0) });
        await Assert.ThrowsAsync<AdmissionRejectedException>(() => full.ExecuteAsync(_ => new ValueTask<int>(1)).AsTask());
        var hedged = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Retry = new RetryOptions { MaxAttempts = 1 },
            Hedging = new HedgingOptions { Delay = TimeSpan.Zero, MaxHedgedAttempts = 1 },
        });
        var dependency = new GatedCalls<int>();

        var call = hedged.ExecuteAsync(dependency.CallAsync).AsTask();
        await dependency.Started(2); // a zero delay sends the hedge at once
        dependency[0].Gate.SetResult(1);
        await call;

        Assert.Equal("fraud", shed.GetMeasurementSnapshot().Single().Tags[FuseboxMetrics.BreakerTag]);
        Assert.Equal(1, hedges.GetMeasurementSnapshot().Sum(m => m.Value));
    }
}
