using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fusebox;
using Fusebox.Http;

namespace Checkout.Scenario;

/// <summary>
/// <c>--record PATH</c>: the outcome trace of the Fusebox run's fraud calls as the breaker saw them, for
/// tools/Fusebox.Replay (docs/replay.md). Each call is one CSV line, <c>timestamp,outcome,duration_ms</c>: seconds since
/// the run started, then <c>success</c>, <c>failure</c> (an exception or a status the handler counts as failed),
/// <c>timeout</c> (Fusebox's per-attempt timeout) or <c>rejected</c> (the breaker was open), and how long it took.
/// A call its caller cancelled is left out, as the breaker leaves it out of its counts.
/// </summary>
public sealed class FraudCallTrace
{
    private readonly ConcurrentQueue<(double AtSeconds, string Outcome, double DurationMs)> _calls = new();
    private long _startedAt;

    /// <summary>Times from here on are seconds since <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Start(long startedAt) => Volatile.Write(ref _startedAt, startedAt);

    public int Count => _calls.Count;

    /// <summary>The handler to put outside the Fusebox handler, so it sees the breaker's rejections and timeouts.</summary>
    public DelegatingHandler CreateHandler() => new Recorder(this);

    /// <summary>The handler to put inside the Fusebox handler: it notes when the attempt ended, the moment the breaker
    /// records it. The outer handler's own clock read comes after its continuation is scheduled, which on a busy
    /// thread pool is a fraction of a millisecond later: enough, once in a while, to put a replayed trip after the
    /// next call that the live breaker had already rejected.</summary>
    public DelegatingHandler CreateCompletionHandler() => new CompletionStamp();

    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var text = new StringBuilder("timestamp,outcome,duration_ms\n");
        foreach (var (at, outcome, ms) in _calls.OrderBy(c => c.AtSeconds))
        {
            text.Append(CultureInfo.InvariantCulture, $"{at:0.000000},{outcome},{ms:0.000}\n");
        }

        await File.WriteAllTextAsync(path, text.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private static readonly HttpRequestOptionsKey<long> EndedAt = new("Checkout.FraudCallTrace.EndedAt");

    private void Add(HttpRequestMessage request, long start, string outcome)
    {
        long startedAt = Volatile.Read(ref _startedAt);
        if (startedAt != 0)
        {
            long end = request.Options.TryGetValue(EndedAt, out long ended) ? ended : Stopwatch.GetTimestamp(); // a rejection never ran
            _calls.Enqueue((Stopwatch.GetElapsedTime(startedAt, start).TotalSeconds, outcome, Stopwatch.GetElapsedTime(start, end).TotalMilliseconds));
        }
    }

    private sealed class CompletionStamp : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            try
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                request.Options.Set(EndedAt, Stopwatch.GetTimestamp());
            }
        }
    }

    private sealed class Recorder(FraudCallTrace trace) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                // The same rule as the Fusebox handler's default ShouldHandleResponse, so the trace says what the breaker counted.
                trace.Add(request, start, FuseboxHttpHandlerOptions.IsTransientFailure(response.StatusCode) ? "failure" : "success");
                return response;
            }
            catch (CircuitOpenException)
            {
                trace.Add(request, start, "rejected");
                throw;
            }
            catch (CallTimeoutException)
            {
                trace.Add(request, start, "timeout");
                throw;
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                trace.Add(request, start, "failure");
                throw;
            }
        }
    }
}
