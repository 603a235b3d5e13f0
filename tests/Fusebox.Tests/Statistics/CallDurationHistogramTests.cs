using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Statistics;

public class CallDurationHistogramTests
{
    [Fact]
    public void Durations_are_recorded_in_seconds_by_outcome_while_a_listener_listens()
    {
        using var metrics = new FuseboxMetrics();
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("payments", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1000) }, time, metrics);
        breaker.Execute(_ => { time.Advance(TimeSpan.FromMilliseconds(7)); return 0; }); // no listener yet: not recorded

        var measured = new List<(double Seconds, string Breaker, string Outcome)>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter && instrument.Name == "fusebox.call.duration")
                {
                    Assert.Equal("s", instrument.Unit);
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            {
                var byKey = tags.ToArray().ToDictionary(t => t.Key, t => (string)t.Value!);
                measured.Add((value, byKey[FuseboxMetrics.BreakerTag], byKey["fusebox.outcome"]));
            });
            listener.Start();

            breaker.Execute(_ => { time.Advance(TimeSpan.FromMilliseconds(250)); return 0; });
            Assert.Throws<InvalidOperationException>(() => breaker.Execute<int>(_ => { time.Advance(TimeSpan.FromSeconds(1)); throw new InvalidOperationException(); }));
            Assert.Throws<TimeoutException>(() => breaker.Execute<int>(_ => { time.Advance(TimeSpan.FromSeconds(2)); throw new TimeoutException(); }));
            Assert.True(breaker.TryAcquire(out var permit));
            time.Advance(TimeSpan.FromMilliseconds(40));
            permit.RecordSuccess();
            Assert.True(breaker.TryAcquire(out var released));
            released.Release(); // ignored: no duration
        }

        breaker.Execute(_ => { time.Advance(TimeSpan.FromMilliseconds(7)); return 0; }); // listener gone
        Assert.Equal([(0.25, "payments", "success"), (1.0, "payments", "failure"), (2.0, "payments", "timeout"), (0.04, "payments", "success")], measured);
    }
}
