using System.Diagnostics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace Fusebox.Benchmarks;

/// <summary>What the <c>Fusebox</c> activity source costs: a successful closed call and an open-state rejection
/// (result style), with nobody listening, with a listener but no current activity, and under a recording activity
/// of the application's that the rejection adds its <c>fusebox.rejected</c> event to.</summary>
/// <remarks>
/// The closed path has no tracing code at all, so its three rows should agree within noise; the rejection pays one
/// <see cref="ActivitySource.HasListeners"/> check when off, and an AsyncLocal read more with a listener.
/// Under <see cref="Tracing.Recording"/> every call runs inside an application span (as a call in a request does) and
/// every rejection adds an event to it; so that a run does not grow one span's event list by millions, the span is
/// replaced every <see cref="EventsPerSpan"/> calls (see <see cref="KeepSpanCurrent"/>: part of those rows' cost).
/// </remarks>
[MemoryDiagnoser]
public class TracingBenchmarks
{
    public enum Tracing
    {
        Off,
        ListenerOnly,
        Recording,
    }

    private const int EventsPerSpan = 256;
    private const string AppSourceName = "Fusebox.Benchmarks.App";
    private static readonly ActivitySource s_app = new(AppSourceName);
    private ActivityListener? _listener;
    private CircuitBreaker _closed = null!;
    private CircuitBreaker _open = null!;
    private Activity? _span;
    private int _calls;
    private long _events;

    [Params(Tracing.Off, Tracing.ListenerOnly, Tracing.Recording)]
    public Tracing Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _closed = Breakers.FuseboxDefault();
        _open = Breakers.FuseboxOpen();
        if (Mode != Tracing.Off)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is FuseboxTracing.SourceName || (Mode == Tracing.Recording && s.Name == AppSourceName),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => Interlocked.Add(ref _events, a.Events.Count()),
            };
            ActivitySource.AddActivityListener(_listener);
        }

    }

    /// <summary>Checks that the closed calls added no event to the recording span.</summary>
    [GlobalCleanup(Target = nameof(ClosedExecuteAsync))]
    public void CleanupClosed() => StopAndCheck(expectEvents: false);

    /// <summary>Checks that the rejections did add their events to the recording span: the benchmark measured them.</summary>
    [GlobalCleanup(Target = nameof(OpenTryExecuteAsync))]
    public void CleanupOpen() => StopAndCheck(expectEvents: true);

    private void StopAndCheck(bool expectEvents)
    {
        _span?.Stop();
        _listener?.Dispose();
        if (Mode == Tracing.Recording && (_events > 0) != expectEvents)
        {
            throw new InvalidOperationException($"Under a recording span, {_events} events were recorded; expected {(expectEvents ? "some" : "none")}.");
        }
    }

    [Benchmark]
    public int ClosedExecuteAsync()
    {
        if (Mode == Tracing.Recording)
        {
            KeepSpanCurrent();
        }

        return Breakers.Result(_closed.ExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None));
    }

    [Benchmark]
    public int OpenTryExecuteAsync()
    {
        if (Mode == Tracing.Recording)
        {
            KeepSpanCurrent();
        }

        return _open.TryExecuteAsync(static (s, _) => new ValueTask<int>(s), 42, CancellationToken.None).Result.IsRejected ? -1 : 42;
    }

    /// <summary>
    /// Makes the span current on the thread that runs the benchmark (BenchmarkDotNet may run the set-up under an
    /// execution context it restores afterwards, so a span started there is not current here), and replaces it every
    /// <see cref="EventsPerSpan"/> calls. Part of the Recording rows' cost: an AsyncLocal read and a call.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void KeepSpanCurrent()
    {
        if (Activity.Current is null || ++_calls % EventsPerSpan == 0)
        {
            _span?.Stop();
            _span = s_app.StartActivity("request");
        }
    }
}
