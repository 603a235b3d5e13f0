using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Fusebox.Extensions;

namespace Fusebox.AspNetCore;

/// <summary>
/// Feeds one server-sent event stream per listening client: an event <c>state</c> on every state change of any
/// breaker; an event <c>snapshot</c> (every breaker, with its recent transitions) at once; then, every snapshot
/// interval, an event <c>changes</c> with only the breakers whose view changed since the previous tick (nothing when
/// none did; without the transitions, which the <c>state</c> events bring one by one), from the
/// <see cref="SnapshotBoard"/> all clients share. A client that disconnects ends its enumeration, which
/// unsubscribes it; a slow client loses its oldest pending state changes, never blocks a breaker, and one that fell
/// further behind than the board keeps gets a full <c>snapshot</c> again. Items carry JSON already written through
/// <see cref="FuseboxJsonContext"/> (the server-sent events result writes string data as is). After a configuration
/// reload is adopted, the next tick of each connection also sends <c>configured</c>: the breakers configured but not
/// called yet (<see cref="ConfiguredBreakerView"/>), so an open dashboard shows an added entry and drops a removed one.
/// The breaker groups (<see cref="BreakerGroupView"/>) come as <c>groups</c>, every group at once: after the first
/// snapshot when the registry has any, then on a tick whenever they differ from what this connection sent last.
/// </summary>
internal sealed class BreakerEventStream
{
    private const int MaxPendingChanges = 256;
    private readonly CircuitBreakerRegistry _registry;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _snapshotInterval;
    private readonly FuseboxConfiguration? _configuration;
    private int _listeners;
    private int _reloads; // adopted configuration reloads: a connection that saw fewer sends "configured"

    public BreakerEventStream(CircuitBreakerRegistry registry, TimeProvider timeProvider, TimeSpan snapshotInterval, FuseboxConfiguration? configuration)
    {
        _registry = registry;
        _timeProvider = timeProvider;
        _snapshotInterval = snapshotInterval;
        _configuration = configuration;
        Board = new SnapshotBoard(registry, timeProvider, snapshotInterval);
        if (configuration is not null)
        {
            // The stream lives as long as the endpoints, the configuration as long as the container: never unsubscribed.
            configuration.Reloaded += _ => Interlocked.Increment(ref _reloads);
        }
    }

    /// <summary>Clients connected now (admitted by <see cref="TryAdmit"/> and not yet <see cref="Leave">left</see>).</summary>
    public int Listeners => Volatile.Read(ref _listeners);

    /// <summary>The views every connection shares.</summary>
    internal SnapshotBoard Board { get; }

    /// <summary>Takes one of <paramref name="max"/> connection slots; false when all are taken.</summary>
    public bool TryAdmit(int max)
    {
        // Lock-free compare-and-swap loop: between the read and the swap, other connections may be admitted or leave;
        // the swap then fails because the count moved, and the loop re-reads it. A slot is taken only by a swap from a
        // count below max, so the count never exceeds max however many connections race.
        while (true)
        {
            int now = Volatile.Read(ref _listeners);
            if (now >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _listeners, now + 1, now) == now)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back the slot <see cref="TryAdmit"/> took.</summary>
    public void Leave() => Interlocked.Decrement(ref _listeners);

    public async IAsyncEnumerable<SseItem<string>> ListenAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var changes = Channel.CreateBounded<BreakerStateChangedEventArgs>(
            new BoundedChannelOptions(MaxPendingChanges) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        void OnChanged(object? sender, BreakerStateChangedEventArgs e) => changes.Writer.TryWrite(e);

        _registry.StateChanged += OnChanged;
        // The timer exists before the first item is handed out: a tick that comes while the client is still writing
        // the first snapshot is kept by the timer and not lost.
        using var timer = new PeriodicTimer(_snapshotInterval, _timeProvider);
        var deltas = new List<SnapshotBoard.Delta>();
        try
        {
            int reloads = Volatile.Read(ref _reloads); // the page reads the configured list itself on the first snapshot
            var (version, full) = Board.Full();
            yield return new SseItem<string>(full, "snapshot");
            string groups = Board.Groups();
            if (groups != SnapshotBoard.NoGroups)
            {
                yield return new SseItem<string>(groups, "groups");
            }

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
                    continue;
                }

                deltas.Clear();
                if (!Board.TryGetChangesSince(version, deltas))
                {
                    (version, full) = Board.Full();
                    yield return new SseItem<string>(full, "snapshot");
                }

                foreach (var delta in deltas)
                {
                    version = delta.Version;
                    yield return new SseItem<string>(delta.Json, "changes");
                }

                if (Board.Groups() is var latest && !string.Equals(latest, groups, StringComparison.Ordinal))
                {
                    groups = latest;
                    yield return new SseItem<string>(groups, "groups");
                }

                if (Volatile.Read(ref _reloads) is var seen && seen != reloads)
                {
                    reloads = seen;
                    var configured = ConfiguredBreakerView.NotYetCalled(_configuration, _registry);
                    yield return new SseItem<string>(JsonSerializer.Serialize(configured, FuseboxJsonContext.Default.ConfiguredBreakerViewArray), "configured");
                }

                tick = timer.WaitForNextTickAsync(cancellationToken).AsTask();
            }
        }
        finally
        {
            _registry.StateChanged -= OnChanged;
        }
    }
}
