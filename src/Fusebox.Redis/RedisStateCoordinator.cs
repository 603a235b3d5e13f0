using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>
/// Shares the state of a registry's breakers with every replica of the service through Redis: one logical breaker
/// per name under <see cref="RedisStateOptions.KeyPrefix"/>.
/// </summary>
/// <remarks>
/// <para>The call path never touches Redis: breakers decide from their local state, exactly as without sharing.
/// A background loop (one per coordinator) flushes window counts every <see cref="RedisStateOptions.FlushInterval"/>,
/// publishes this replica's transitions as compare-and-set scripts, adopts other replicas' transitions from pub/sub
/// (and from the prefix's change log, read once per tick whatever the number of breakers, for missed messages;
/// a sweep re-reads every breaker once per <see cref="RedisStateOptions.SweepInterval"/>), and hands out the
/// cluster-wide half-open probe permits. Adopted transitions carry <see cref="TransitionReason.External"/>.</para>
/// <para>When Redis fails or is slower than <see cref="RedisStateOptions.OperationTimeout"/> the coordinator logs it once,
/// reports it (<see cref="IsRedisAvailable"/>, the <c>fusebox.redis.local_fallback</c> gauge, the health check), lets
/// every breaker run on its own, and reconciles when Redis returns: the more severe state wins.</para>
/// <para>A corrupt or wrong-typed key is that breaker's problem only: it is logged once and repaired from the replicas'
/// local states; the other breakers stay shared.</para>
/// <para>The coordinator reads time only through <see cref="RedisStateOptions.TimeProvider"/> (by default the
/// registry's), so the whole protocol runs on a fake clock in tests.</para>
/// <para>This class is the facade; the parts are the link (connection and availability), the store (script I/O and
/// reply validation), the pure reconciler (merge rules), the shared half-open round, the window reporter, the change
/// queue and the loop. See docs/distributed.md for keys, scripts, merge rules, failure modes and the consistency promised.</para>
/// </remarks>
public sealed class RedisStateCoordinator : IDisposable, IAsyncDisposable
{
    private readonly CoordinatorContext _context;
    private readonly RedisLink _link;
    private readonly ChangeQueue _queue = new();
    private readonly SharedBreakerSet _breakers;
    private readonly CoordinatorLoop _loop;
    private readonly MessageReceiver _messages;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private int _disposed;

    /// <summary>Shares the breakers of <paramref name="registry"/> through an existing connection (not disposed by the coordinator).</summary>
    /// <param name="registry">The breakers to share; breakers added later are picked up within one flush interval.</param>
    /// <param name="connection">The Redis connection. Prefer one configured with <c>abortConnect=false</c>.</param>
    /// <param name="options">Options (copied and validated now); null for the defaults.</param>
    /// <param name="logger">Where to log; null for none.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public RedisStateCoordinator(CircuitBreakerRegistry registry, IConnectionMultiplexer connection, RedisStateOptions? options = null, ILogger? logger = null)
        : this(registry, options, logger, connection ?? throw new ArgumentNullException(nameof(connection)), null, ownsConnection: false)
    {
    }

    /// <summary>Shares the breakers of <paramref name="registry"/> through a connection it opens (in the background:
    /// the constructor never waits for Redis) and disposes.</summary>
    /// <param name="registry">The breakers to share.</param>
    /// <param name="connectionString">A StackExchange.Redis configuration string, e.g. <c>"localhost:6379"</c>.</param>
    /// <param name="options">Options (copied and validated now); null for the defaults.</param>
    /// <param name="logger">Where to log; null for none.</param>
    /// <exception cref="ArgumentException">An option is out of range or the connection string is invalid.</exception>
    public RedisStateCoordinator(CircuitBreakerRegistry registry, string connectionString, RedisStateOptions? options = null, ILogger? logger = null)
        : this(registry, options, logger, null, RedisLink.ConnectFunc(connectionString, options), ownsConnection: true)
    {
    }

    private RedisStateCoordinator(CircuitBreakerRegistry registry, RedisStateOptions? options, ILogger? logger,
        IConnectionMultiplexer? connection, Func<CancellationToken, Task<IConnectionMultiplexer>>? connect, bool ownsConnection)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var validated = options?.Clone() ?? new RedisStateOptions();
        validated.Validate();
        validated.ReplicaId ??= DefaultReplicaId();
        var clock = new CoordinatorClock(validated.TimeProvider ?? registry.TimeProvider);
        var metrics = new RedisStateMetrics(registry.Metrics.Meter, validated.KeyPrefix,
            () => Volatile.Read(ref _disposed) == 1 ? null : _link!.Available ? 0 : 1);
        _context = new CoordinatorContext(validated, validated.ReplicaId, clock, logger ?? NullLogger.Instance, metrics);
        _link = new RedisLink(_context, connection, connect, ownsConnection);
        var adopter = new StateAdopter(_context, new Reconciler(clock, validated.ReplicaId, validated.HoldGrace));
        var faults = new BreakerFaults(_context, _link, adopter);
        var log = new ChangeLog(_context, _link, faults);
        var store = new SharedStateStore(_context, _link, log);
        var replicas = new ReplicaStatusBoard(_context, _link, faults);
        _breakers = new SharedBreakerSet(_context, registry, _link, _queue, adopter, replicas);
        var window = new WindowReporter(_context, store, adopter);
        var publisher = new ChangePublisher(_context, store, adopter, window);
        _messages = new MessageReceiver(_context, _link, store, _breakers, adopter);
        var ticks = new BreakerTick(_context, store, adopter, publisher, window, new SharedRound(_context, store, adopter), faults);
        _loop = new CoordinatorLoop(_context, _link, _breakers, _queue, adopter, _messages, log, new ChangeDrain(_link, _queue, publisher, faults), ticks, replicas);
        _breakers.Start();
        _running = Task.Run(() => _loop.RunAsync(_stop.Token));
    }

    /// <summary>This replica's identity in Redis.</summary>
    public string ReplicaId => _context.ReplicaId;

    /// <summary>The key prefix (service and environment) this coordinator shares under.</summary>
    public string KeyPrefix => _context.Options.KeyPrefix;

    /// <summary>False while Redis cannot be reached (or is slower than the operation timeout): breakers then run on
    /// their local state alone.</summary>
    public bool IsRedisAvailable => _link.Available;

    /// <summary>Why Redis is unavailable, while it is: a generic description (e.g. <c>connection failed (UnableToConnect)</c>,
    /// <c>no answer within 1000 ms</c>) that never carries the client's error text; that is logged (event 2001).</summary>
    public string? UnavailableReason => _link.UnavailableReason;

    /// <summary>Since when Redis is unavailable, while it is.</summary>
    public DateTimeOffset? UnavailableSince => _link.UnavailableSince;

    /// <summary>For tests: stop adopting pub/sub messages, so only the change log and the sweep bring other replicas' changes.</summary>
    internal bool PubSubEnabled
    {
        get => _messages.Enabled;
        set => _messages.Enabled = value;
    }

    /// <summary>For tests: the loop's idle waits and the local changes it has taken from its queue.</summary>
    internal (long IdleWaits, long Dequeued) LoopCounters => (_loop.IdleWaits, _queue.Dequeued);

    /// <summary>For tests: the breakers the sweep has marked for reading so far.</summary>
    internal long Swept => _loop.Swept;

    /// <summary>For tests: the most Redis operations ever in flight at once.</summary>
    internal int MostInFlight => _link.MostInFlight;

    /// <summary>For tests on a fake clock: the loop's completed ticks and whether it waits for the clock.</summary>
    internal (long Ticks, bool Parked) LoopProgress => _loop.Progress;

    /// <summary>Shares a breaker that is not in the registry (breakers of the registry are attached by themselves).</summary>
    /// <exception cref="InvalidOperationException">Another breaker with the same name is already shared.</exception>
    public void Attach(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        _breakers.Attach(breaker);
    }

    /// <summary>Stops sharing a breaker; it keeps working on its local state.</summary>
    public bool Detach(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        return _breakers.Detach(breaker);
    }

    /// <summary>How the breaker <paramref name="name"/> stands with the shared state; null when it is not shared.</summary>
    public SharedBreakerStatus? GetStatus(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _breakers.TryGet(name, out var s) ? _breakers.Status(s) : null;
    }

    /// <summary>The status of every shared breaker, ordered by name.</summary>
    public IReadOnlyList<SharedBreakerStatus> Report() => _breakers.Report();

    /// <summary>Isolates the breaker on every replica (even when it is already isolated here).</summary>
    /// <returns>True when the change was written to Redis; false when Redis is unavailable (then it applies here
    /// at once and is published when Redis returns).</returns>
    /// <exception cref="ArgumentException">No breaker of that name is shared.</exception>
    public Task<bool> IsolateAsync(string name, string? reason = null, CancellationToken cancellationToken = default) =>
        CommandAsync(name, BreakerState.Isolated, reason, cancellationToken);

    /// <summary>Disables the breaker on every replica (held closed, still measuring).</summary>
    /// <returns>True when written to Redis; false when applied locally only, for now.</returns>
    /// <exception cref="ArgumentException">No breaker of that name is shared.</exception>
    public Task<bool> DisableAsync(string name, string? reason = null, CancellationToken cancellationToken = default) =>
        CommandAsync(name, BreakerState.Disabled, reason, cancellationToken);

    /// <summary>Resets (closes, clearing windows and backoff) the breaker on every replica, including replicas that
    /// tripped only locally. <see cref="CircuitBreaker.Reset"/> on any replica does the same.</summary>
    /// <returns>True when written to Redis; false when applied locally only, for now.</returns>
    /// <exception cref="ArgumentException">No breaker of that name is shared.</exception>
    public Task<bool> ResetAsync(string name, string? reason = null, CancellationToken cancellationToken = default) =>
        CommandAsync(name, BreakerState.Closed, reason, cancellationToken);

    /// <summary>Waits until the coordinator has connected, subscribed and synchronised its breakers.</summary>
    /// <returns>False when <paramref name="timeout"/> passed first (on the coordinator's clock).</returns>
    public async Task<bool> WaitUntilAvailableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_link.Available)
        {
            return true;
        }

        try
        {
            await _link.WhenAvailable.WaitAsync(timeout, _context.Clock.Provider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return _link.Available;
        }
    }

    /// <summary>Stops sharing: the loop ends, breakers keep working on local state (a held half-open round is released
    /// to local probing), and a connection opened by the coordinator is closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _breakers.BeginStop();
        _messages.BeginStop();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5), _context.Clock.Provider).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }

        _breakers.Stop();
        _queue.Abandon();
        await _link.CloseAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Same as <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private Task<bool> CommandAsync(string name, BreakerState target, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (!_breakers.TryGet(name, out var shared) || shared.Mode == SharingMode.Local)
        {
            throw new ArgumentException($"No breaker named '{name}' is shared by this coordinator.", nameof(name));
        }

        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.EnqueueCommand(shared, target, reason, done);
        return done.Task.WaitAsync(cancellationToken);
    }

    private static string DefaultReplicaId() =>
        $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";
}
