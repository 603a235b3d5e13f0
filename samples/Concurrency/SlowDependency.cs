namespace Concurrency;

/// <summary>
/// An in-process dependency that degrades under load: up to <paramref name="capacity"/> calls at once take the base
/// latency, each call beyond that adds to everybody's, and one call in <paramref name="tailEvery"/> is a slow outlier
/// (a GC pause, a cold cache). Counts what it served.
/// </summary>
internal sealed class SlowDependency(int capacity, TimeSpan baseLatency, int tailEvery, TimeSpan tailLatency)
{
    private int _inflight;
    private int _calls;
    private int _peak;

    public int Calls => Volatile.Read(ref _calls);

    public int PeakInFlight => Volatile.Read(ref _peak);

    public async ValueTask<int> CallAsync(CancellationToken cancellationToken)
    {
        int n = Interlocked.Increment(ref _calls);
        int inflight = Interlocked.Increment(ref _inflight);
        int peak;
        while (inflight > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, inflight, peak) != peak)
        {
        }

        try
        {
            var latency = n % tailEvery == 0 ? tailLatency : baseLatency * Math.Max(1, inflight - capacity + 1);
            await Task.Delay(latency, cancellationToken);
            return n;
        }
        finally
        {
            Interlocked.Decrement(ref _inflight);
        }
    }
}
