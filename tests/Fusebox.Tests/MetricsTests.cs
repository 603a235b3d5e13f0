using System.Diagnostics.Metrics;
using Fusebox.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests;

public class MetricsTests
{
    [Fact]
    public void Calls_are_counted_by_outcome_with_the_breaker_tag()
    {
        using var metrics = new FuseboxMetrics();
        using var calls = new MetricCollector<long>(metrics.Meter, "fusebox.calls");
        var breaker = new CircuitBreaker("fraud-service", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(2) }, new FakeTimeProvider(), metrics);

        breaker.Succeed();
        breaker.FailTimes(2);
        breaker.TryAcquire(out _);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        breaker.Reset();
        Assert.True(breaker.TryAcquire(out var p));
        p.RecordException(new OperationCanceledException(), cts.Token);

        var byOutcome = calls.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["fusebox.outcome"]!)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["success"] = 1, ["failure"] = 2, ["rejected"] = 1, ["ignored"] = 1 }, byOutcome);
        Assert.All(calls.GetMeasurementSnapshot(), m => Assert.Equal("fraud-service", m.Tags[FuseboxMetrics.BreakerTag]));
    }

    [Fact]
    public void Transitions_are_counted_with_from_and_to()
    {
        using var metrics = new FuseboxMetrics();
        using var transitions = new MetricCollector<long>(metrics.Meter, "fusebox.transitions");
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("svc", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(1), HalfOpenPermits = 1 }, time, metrics);

        breaker.Fail();
        time.Advance(TimeSpan.FromSeconds(30));
        breaker.Succeed();

        Assert.Equal(["closed>open", "open>half_open", "half_open>closed"],
            transitions.GetMeasurementSnapshot().Select(m => $"{m.Tags["fusebox.from"]}>{m.Tags["fusebox.to"]}"));
    }

    [Fact]
    public void Slow_calls_have_their_own_counter()
    {
        using var metrics = new FuseboxMetrics();
        using var slow = new MetricCollector<long>(metrics.Meter, "fusebox.slow_calls");
        var time = new FakeTimeProvider();
        var breaker = new CircuitBreaker("svc", new CircuitBreakerOptions { SlowCallThreshold = TimeSpan.FromSeconds(1) }, time, metrics);

        Assert.True(breaker.TryAcquire(out var p));
        time.Advance(TimeSpan.FromSeconds(2));
        p.RecordSuccess();
        breaker.Succeed();

        Assert.Equal(1, slow.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void The_state_gauge_reports_every_tracked_breaker()
    {
        using var metrics = new FuseboxMetrics();
        using var gauge = new MetricCollector<int>(metrics.Meter, "fusebox.state");
        var a = new CircuitBreaker("a", null, new FakeTimeProvider(), metrics);
        var b = new CircuitBreaker("b", null, new FakeTimeProvider(), metrics);
        b.Isolate();

        gauge.RecordObservableInstruments();

        var states = gauge.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[FuseboxMetrics.BreakerTag]!, m => m.Value);
        Assert.Equal((int)BreakerState.Closed, states["a"]);
        Assert.Equal((int)BreakerState.Isolated, states["b"]);
        GC.KeepAlive(a);
    }

    [Fact]
    public void A_registry_creates_its_meter_from_the_meter_factory()
    {
        using var factory = new TestMeterFactory();
        using var registry = new CircuitBreakerRegistry(meterFactory: factory);

        Assert.Single(factory.Meters);
        Assert.Equal(FuseboxMetrics.MeterName, factory.Meters[0].Name);
        Assert.Same(factory.Meters[0], registry.Metrics.Meter);
    }

    [Fact]
    public void Removed_breakers_leave_the_gauge()
    {
        using var registry = new CircuitBreakerRegistry();
        using var gauge = new MetricCollector<int>(registry.Metrics.Meter, "fusebox.state");
        registry.GetOrAdd("keep");
        registry.GetOrAdd("drop");
        registry.Remove("drop");

        gauge.RecordObservableInstruments();

        Assert.Equal(["keep"], gauge.GetMeasurementSnapshot().Select(m => (string)m.Tags[FuseboxMetrics.BreakerTag]!));
    }

    [Fact]
    public void Two_registries_on_one_meter_share_its_instruments_and_report_a_name_once()
    {
        // A meter factory hands out one meter per name (as the DI container's does): both registries get it.
        using var factory = new CachingMeterFactory();
        using var first = new CircuitBreakerRegistry(meterFactory: factory);
        using var second = new CircuitBreakerRegistry(meterFactory: factory);
        Assert.Same(first.Metrics.Meter, second.Metrics.Meter);
        var instruments = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, first.Metrics.Meter))
                {
                    instruments.Add(instrument.Name);
                }
            },
        };
        listener.Start();
        using var gauge = new MetricCollector<int>(first.Metrics.Meter, "fusebox.state");
        first.GetOrAdd("fraud");
        second.GetOrAdd("fraud").Isolate();
        first.GetOrAdd("ledger");

        gauge.RecordObservableInstruments();

        Assert.Equal(instruments.Distinct().Count(), instruments.Count); // no instrument created twice
        var series = gauge.GetMeasurementSnapshot().Select(m => ((string)m.Tags[FuseboxMetrics.BreakerTag]!, m.Value)).OrderBy(x => x.Item1).ToArray();
        Assert.Equal([("fraud", (int)BreakerState.Isolated), ("ledger", (int)BreakerState.Closed)], series);
    }

    private sealed class CachingMeterFactory : IMeterFactory
    {
        private readonly Dictionary<string, Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            if (!_meters.TryGetValue(options.Name, out var meter))
            {
                _meters[options.Name] = meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            }

            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters.Values)
            {
                meter.Dispose();
            }
        }
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Meters)
            {
                meter.Dispose();
            }
        }
    }
}
