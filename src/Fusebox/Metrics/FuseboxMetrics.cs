using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Fusebox;

/// <summary>
/// The <c>Fusebox</c> meter's instruments. Every recording first checks <see cref="Instrument.Enabled"/>, so when no
/// listener is attached a call pays one field read. Instances on the same <see cref="System.Diagnostics.Metrics.Meter"/>
/// (two registries built from one <see cref="IMeterFactory"/>, which hands out one meter per name) share one set of
/// instruments, so no instrument is created twice and the <c>fusebox.state</c> gauge reports each breaker name once:
/// when several live breakers share a name, with the most severe of their states (open, isolated, half-open,
/// disabled, closed, in that order).
/// </summary>
public sealed class FuseboxMetrics : IDisposable
{
    /// <summary>The meter name to subscribe to (OpenTelemetry: <c>AddMeter("Fusebox")</c>).</summary>
    public const string MeterName = "Fusebox";

    /// <summary>The tag that names the breaker on every instrument.</summary>
    public const string BreakerTag = "fusebox.breaker";

    private static readonly Lazy<FuseboxMetrics> s_shared = new(() => new FuseboxMetrics());

    // One instrument set per Meter, however many FuseboxMetrics are created on it. Weak keys: a disposed, dropped meter
    // takes its set with it.
    private static readonly ConditionalWeakTable<Meter, MeterInstruments> s_instruments = new();

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly MeterInstruments _shared;

    // The shared set's counters, copied here so that a recording reads this object's field, not one more indirection.
    private readonly Counter<long> _calls;
    private readonly Counter<long> _slowCalls;
    private readonly Counter<long> _transitions;
    private readonly Counter<long> _classificationErrors;
    private readonly Counter<long> _shadowRejections;
    private readonly Histogram<double> _callDuration;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a new <c>Fusebox</c> meter when null.
    /// With a factory, every instance created from it shares the factory's meter and its instruments.</summary>
    public FuseboxMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _shared = s_instruments.GetValue(_meter, static meter => new MeterInstruments(meter));
        (_calls, _slowCalls, _transitions, _classificationErrors, _callDuration, _shadowRejections) =
            (_shared.Calls, _shared.SlowCalls, _shared.Transitions, _shared.ClassificationErrors, _shared.CallDuration, _shared.ShadowRejections);
    }

    /// <summary>The instance used by breakers created without one.</summary>
    public static FuseboxMetrics Shared => s_shared.Value;

    /// <summary>The meter the instruments live on, for components that add their own instruments.</summary>
    public Meter Meter => _meter;

    /// <summary>The resilient callers' instruments, created on first use on the same meter.</summary>
    internal ResilienceMetrics Resilience => _shared.Resilience;

    internal void Track(CircuitBreaker breaker) => _shared.Breakers.AddOrUpdate(breaker, null);

    internal void Untrack(CircuitBreaker breaker) => _shared.Breakers.Remove(breaker);

    // The check inlines into every call; the recording, which only runs with a listener, stays out of line.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RecordCall(string breaker, string outcome)
    {
        if (_calls.Enabled)
        {
            AddCall(breaker, outcome);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddCall(string breaker, string outcome) =>
        _calls.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker), new KeyValuePair<string, object?>("fusebox.outcome", outcome));

    /// <summary>True when <c>fusebox.call.duration</c> has a listener: only then do calls read the clock for it.</summary>
    internal bool DurationObserved
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _callDuration.Enabled;
    }

    /// <summary>Records a call's duration (TimeSpan ticks) on <c>fusebox.call.duration</c>, in seconds.</summary>
    /// <param name="breaker">The breaker's name.</param>
    /// <param name="outcome">success, failure or timeout.</param>
    /// <param name="elapsedTicks">The call's duration.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void RecordDuration(string breaker, string outcome, long elapsedTicks)
    {
        if (_callDuration.Enabled)
        {
            _callDuration.Record((double)elapsedTicks / TimeSpan.TicksPerSecond,
                new KeyValuePair<string, object?>(BreakerTag, breaker), new KeyValuePair<string, object?>("fusebox.outcome", outcome));
        }
    }

    internal void RecordSlowCall(string breaker)
    {
        if (_slowCalls.Enabled)
        {
            _slowCalls.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker));
        }
    }

    internal void RecordTransition(string breaker, BreakerState from, BreakerState to, bool shadow)
    {
        if (_transitions.Enabled)
        {
            var tags = new TagList
            {
                { BreakerTag, breaker },
                { "fusebox.from", StateNames.Of(from) },
                { "fusebox.to", StateNames.Of(to) },
            };
            if (shadow)
            {
                tags.Add("fusebox.shadow", true); // only on shadow breakers: the series of the others keep their tags
            }

            _transitions.Add(1, tags);
        }
    }

    /// <summary>A call a breaker in shadow mode would have rejected (and admitted), on <c>fusebox.shadow.rejections</c>.</summary>
    internal void RecordShadowRejection(string breaker, RejectionReason reason)
    {
        if (_shadowRejections.Enabled)
        {
            _shadowRejections.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker),
                new KeyValuePair<string, object?>("fusebox.reason", RejectionReasons.Name(reason)));
        }
    }

    internal void RecordClassificationError(string breaker, string predicate)
    {
        if (_classificationErrors.Enabled)
        {
            _classificationErrors.Add(1, new KeyValuePair<string, object?>(BreakerTag, breaker), new KeyValuePair<string, object?>("fusebox.predicate", predicate));
        }
    }

    /// <summary>Disposes the meter when this instance created it.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    /// <summary>The instruments of one meter, and the breakers its gauge reports.</summary>
    private sealed class MeterInstruments
    {
        private ResilienceMetrics? _resilience;

        public MeterInstruments(Meter meter)
        {
            Meter = meter;
            Calls = meter.CreateCounter<long>("fusebox.calls", "{call}",
                "Calls through a breaker by outcome: success, failure, rejected, throttled (rejected by adaptive throttling), ignored.");
            SlowCalls = meter.CreateCounter<long>("fusebox.slow_calls", "{call}",
                "Calls slower than the breaker's SlowCallThreshold (also counted once in fusebox.calls).");
            Transitions = meter.CreateCounter<long>("fusebox.transitions", "{transition}",
                "State transitions, tagged fusebox.from and fusebox.to (and fusebox.shadow = true for a breaker in shadow mode, whose transitions reject nothing).");
            ShadowRejections = meter.CreateCounter<long>("fusebox.shadow.rejections", "{call}",
                "Calls a breaker in shadow mode would have rejected and admitted, tagged fusebox.reason: open, probes_busy, isolated, throttled.");
            ClassificationErrors = meter.CreateCounter<long>("fusebox.classification_errors", "{error}",
                "ShouldHandleException or ShouldHandleResult predicates that threw (tagged fusebox.predicate: exception, result); the call counted as a failure and its caller got the call's own exception or result.");
            CallDuration = meter.CreateHistogram<double>("fusebox.call.duration", "s",
                "Duration of calls that ran through a breaker, tagged fusebox.outcome: success, failure, timeout (rejected and ignored calls are not recorded).",
                tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBoundaries });
            meter.CreateObservableGauge("fusebox.state", ObserveStates, "{state}",
                "Current state per breaker name: 0 closed, 1 open, 2 half-open, 3 isolated, 4 disabled; several live breakers of one name report the most severe.");
        }

        public Meter Meter { get; }

        public Counter<long> Calls { get; }

        public Counter<long> SlowCalls { get; }

        public Counter<long> Transitions { get; }

        public Counter<long> ClassificationErrors { get; }

        public Counter<long> ShadowRejections { get; }

        public Histogram<double> CallDuration { get; }

        // The boundaries OpenTelemetry's semantic conventions advise for HTTP durations in seconds (the SDK's
        // default boundaries are meant for milliseconds and would put nearly every call in the first bucket).
        private static readonly double[] DurationBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

        // Weak, so a breaker dropped by its owner is not kept alive just to be reported by the gauge.
        public ConditionalWeakTable<CircuitBreaker, object?> Breakers { get; } = new();

        public ResilienceMetrics Resilience => LazyInitializer.EnsureInitialized(ref _resilience, () => new ResilienceMetrics(Meter));

        private IEnumerable<Measurement<int>> ObserveStates()
        {
            // One series per name: two registries (or two breakers of one name) must not report the same series twice.
            var byName = new Dictionary<string, BreakerState>(StringComparer.Ordinal);
            foreach (var (breaker, _) in Breakers)
            {
                var state = breaker.State;
                if (!byName.TryGetValue(breaker.Name, out var seen) || Severity(state) > Severity(seen))
                {
                    byName[breaker.Name] = state;
                }
            }

            foreach (var (name, state) in byName)
            {
                yield return new Measurement<int>((int)state, new KeyValuePair<string, object?>(BreakerTag, name));
            }
        }

        private static int Severity(BreakerState state) => state switch
        {
            BreakerState.Open => 4,
            BreakerState.Isolated => 3,
            BreakerState.HalfOpen => 2,
            BreakerState.Disabled => 1,
            _ => 0,
        };
    }
}
