using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;

namespace Fusebox.AspNetCore;

/// <summary>
/// Feeds one server-sent event stream per listening client: an event <c>state</c> on every state change of any
/// breaker, and an event <c>snapshot</c> (every breaker) at once and then periodically. A client that disconnects
/// ends its enumeration, which unsubscribes it; a slow client loses its oldest pending state changes, never
/// blocks a breaker. Items carry JSON already written through <see cref="FuseboxJsonContext"/> (the server-sent
/// events result writes string data as is), so the stream needs no reflection-based serialization.
/// </summary>
internal sealed class BreakerEventStream(CircuitBreakerRegistry registry, TimeProvider timeProvider)
{
    private const int MaxPendingChanges = 256;
    private int _listeners;

    /// <summary>Clients listening now.</summary>
    public int Listeners => Volatile.Read(ref _listeners);

    public async IAsyncEnumerable<SseItem<string>> ListenAsync(TimeSpan snapshotInterval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changes = Channel.CreateBounded<BreakerStateChangedEventArgs>(
            new BoundedChannelOptions(MaxPendingChanges) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        void OnChanged(object? sender, BreakerStateChangedEventArgs e) => changes.Writer.TryWrite(e);

        registry.StateChanged += OnChanged;
        Interlocked.Increment(ref _listeners);
        try
        {
            yield return Snapshot();
            using var timer = new PeriodicTimer(snapshotInterval, timeProvider);
            var tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
            var change = changes.Reader.WaitToReadAsync(cancellationToken).AsTask();
            while (!cancellationToken.IsCancellationRequested)
            {
                var woke = await Task.WhenAny(tick, change).ConfigureAwait(false);
                if (woke.IsCanceled || woke.IsFaulted)
                {
                    yield break;
                }

                if (woke == change)
                {
                    while (changes.Reader.TryRead(out var e))
                    {
                        yield return new SseItem<string>(JsonSerializer.Serialize(StateChangeView.From(e), FuseboxJsonContext.Default.StateChangeView), "state");
                    }

                    change = changes.Reader.WaitToReadAsync(cancellationToken).AsTask();
                }
                else
                {
                    yield return Snapshot();
                    tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
                }
            }
        }
        finally
        {
            registry.StateChanged -= OnChanged;
            Interlocked.Decrement(ref _listeners);
        }
    }

    private SseItem<string> Snapshot() =>
        new(JsonSerializer.Serialize(registry.Breakers.OrderBy(b => b.Name, StringComparer.Ordinal).Select(BreakerView.From).ToArray(),
            FuseboxJsonContext.Default.BreakerViewArray), "snapshot");
}
