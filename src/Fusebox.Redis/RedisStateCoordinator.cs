using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
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
/// (and from a poll every <see cref="RedisStateOptions.PollInterval"/>, for missed messages), and hands out the
/// cluster-wide half-open probe permits. Adopted transitions carry <see cref="TransitionReason.External"/>.</para>
/// <para>When Redis fails or is slower than <see cref="RedisStateOptions.OperationTimeout"/> the coordinator logs it once,
/// reports it (<see cref="IsRedisAvailable"/>, the <c>fusebox.redis.local_fallback</c> gauge, the health check), lets
/// every breaker run on its own, and reconciles when Redis returns: the more severe state wins.</para>
/// <para>See docs/distributed.md for keys, scripts, failure modes and the consistency promised.</para>
/// </remarks>
public sealed class RedisStateCoordinator : IDisposable, IAsyncDisposable
{
    private readonly CircuitBreakerRegistry _registry;
    private readonly RedisStateOptions _options;
    private readonly ILogger _logger;
    private readonly RedisStateMetrics _metrics;
    private readonly ConcurrentDictionary<string, SharedBreaker> _breakers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Work> _work = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<CancellationToken, Task<IConnectionMultiplexer>>? _connect;
    private readonly bool _ownsConnection;
    private readonly RedisChannel _channel;
    private readonly Task _loop;

    private IConnectionMultiplexer? _connection;
    private ChannelMessageQueue? _subscription;
    private volatile bool _available;
    private volatile string? _unavailableReason = "not connected yet";
    private bool _outageLogged;
    private bool _everConnected;
    private long _unavailableSince = Environment.TickCount64;
    private DateTimeOffset? _unavailableSinceUtc = DateTimeOffset.UtcNow;
    private long _nextRetry;
    private long _nextTick;
    private long _nextMembershipCheck;
    private bool _pubSubEnabled = true;
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
        : this(registry, options, logger, null, ConnectFunc(connectionString, options), ownsConnection: true)
    {
    }

    private RedisStateCoordinator(CircuitBreakerRegistry registry, RedisStateOptions? options, ILogger? logger,
        IConnectionMultiplexer? connection, Func<CancellationToken, Task<IConnectionMultiplexer>>? connect, bool ownsConnection)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _options = options?.Clone() ?? new RedisStateOptions();
        _options.Validate();
        _options.ReplicaId ??= DefaultReplicaId();
        _registry = registry;
        _logger = logger ?? NullLogger.Instance;
        _connection = connection;
        _connect = connect;
        _ownsConnection = ownsConnection;
        _channel = RedisChannel.Literal(_options.KeyPrefix + ":events");
        _metrics = new RedisStateMetrics(registry.Metrics.Meter, _options.KeyPrefix,
            () => Volatile.Read(ref _disposed) == 1 ? null : _available ? 0 : 1);
        registry.StateChanged += OnStateChanged;
        Discover();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>This replica's identity in Redis.</summary>
    public string ReplicaId => _options.ReplicaId!;

    /// <summary>The key prefix (service and environment) this coordinator shares under.</summary>
    public string KeyPrefix => _options.KeyPrefix;

    /// <summary>False while Redis cannot be reached (or is slower than the operation timeout): breakers then run on
    /// their local state alone.</summary>
    public bool IsRedisAvailable => _available;

    /// <summary>Why Redis is unavailable, while it is.</summary>
    public string? UnavailableReason => _available ? null : _unavailableReason;

    /// <summary>Since when Redis is unavailable, while it is.</summary>
    public DateTimeOffset? UnavailableSince => _available ? null : _unavailableSinceUtc;

    /// <summary>For tests: stop adopting pub/sub messages, so only the poll brings other replicas' changes.</summary>
    internal bool PubSubEnabled
    {
        get => Volatile.Read(ref _pubSubEnabled);
        set => Volatile.Write(ref _pubSubEnabled, value);
    }

    /// <summary>Shares a breaker that is not in the registry (breakers of the registry are attached by themselves).</summary>
    /// <exception cref="InvalidOperationException">Another breaker with the same name is already shared.</exception>
    public void Attach(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        bool inRegistry = _registry.TryGet(breaker.Name, out var registered) && ReferenceEquals(registered, breaker);
        var shared = Track(breaker, fromRegistry: inRegistry);
        if (!ReferenceEquals(shared.Breaker, breaker))
        {
            throw new InvalidOperationException($"Another breaker named '{breaker.Name}' is already shared by this coordinator.");
        }

        if (!shared.FromRegistry)
        {
            breaker.StateChanged += OnStateChanged; // registry breakers' events come through the registry
        }
    }

    /// <summary>Stops sharing a breaker; it keeps working on its local state.</summary>
    public bool Detach(CircuitBreaker breaker)
    {
        ArgumentNullException.ThrowIfNull(breaker);
        if (!_breakers.TryGetValue(breaker.Name, out var shared) || !ReferenceEquals(shared.Breaker, breaker) ||
            !_breakers.TryRemove(new KeyValuePair<string, SharedBreaker>(breaker.Name, shared)))
        {
            return false;
        }

        Untrack(shared);
        return true;
    }

    /// <summary>How the breaker <paramref name="name"/> stands with the shared state; null when it is not shared.</summary>
    public SharedBreakerStatus? GetStatus(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _breakers.TryGetValue(name, out var s) ? GetStatus(s) : null;
    }

    private SharedBreakerStatus GetStatus(SharedBreaker s)
    {
        lock (s.Gate)
        {
            var view = s.View;
            var local = s.Breaker.RecordedState;
            bool adopted = s.LocalGenerationAtSync >= 0 && s.Breaker.Generation == s.LocalGenerationAtSync;
            return new SharedBreakerStatus
            {
                Name = s.Name,
                Mode = s.Mode,
                LocalState = local,
                Scope = adopted && view is not null && s.Mode != SharingMode.Local ? StateScope.Cluster : StateScope.Local,
                LocalFallback = !_available && s.Mode != SharingMode.Local,
                ClusterState = view?.State,
                ClusterGeneration = view?.Generation,
                ClusterDescription = view?.Description,
                DecidedBy = view is { DecidedBy.Length: > 0 } ? view.DecidedBy : null,
                LastSyncedAt = s.LastSyncedAt,
            };
        }
    }

    /// <summary>The status of every shared breaker, ordered by name.</summary>
    public IReadOnlyList<SharedBreakerStatus> Report() =>
        _breakers.Keys.Order(StringComparer.Ordinal).Select(GetStatus).OfType<SharedBreakerStatus>().ToArray();

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
    /// <returns>False when <paramref name="timeout"/> passed first.</returns>
    public async Task<bool> WaitUntilAvailableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!_available)
        {
            if (Environment.TickCount64 >= deadline)
            {
                return false;
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Stops sharing: the loop ends, breakers keep working on local state (a held half-open round is released
    /// to local probing), and a connection opened by the coordinator is closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }

        _registry.StateChanged -= OnStateChanged;
        foreach (var shared in _breakers.Values)
        {
            Untrack(shared);
        }

        _breakers.Clear();
        while (_work.TryDequeue(out var work))
        {
            work.Done?.TrySetResult(false);
        }

        if (_subscription is { } subscription)
        {
            try
            {
                _subscription = null;
                subscription.Unsubscribe(CommandFlags.FireAndForget);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
            }
        }

        if (_ownsConnection && _connection is { } connection)
        {
            try
            {
                await connection.CloseAsync(allowCommandsToComplete: false).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
            }

            connection.Dispose();
        }

        _stop.Dispose();
    }

    /// <summary>Same as <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // ---------------------------------------------------------------- tracking

    private SharedBreaker Track(CircuitBreaker breaker, bool fromRegistry)
    {
        var mode = _options.ModeFor?.Invoke(breaker.Name) ?? _options.Mode;
        var shared = _breakers.GetOrAdd(breaker.Name, _ => new SharedBreaker(breaker, mode, _options.KeyPrefix, fromRegistry));
        if (ReferenceEquals(shared.Breaker, breaker) && Interlocked.Exchange(ref shared.Hooked, 1) == 0)
        {
            breaker.SetCoordination(() => GetStatus(shared).ToCoordination(UnavailableSince, UnavailableReason));
            breaker.ManualControl += OnManualControl;
        }

        Wake();
        return shared;
    }

    private void Untrack(SharedBreaker shared)
    {
        if (!shared.FromRegistry)
        {
            shared.Breaker.StateChanged -= OnStateChanged;
        }

        shared.Breaker.SetCoordination(null);
        shared.Breaker.ManualControl -= OnManualControl;
        lock (shared.Gate)
        {
            shared.Detached = true;
            ReleaseHold(shared, "no longer shared");
        }
    }

    private void Discover()
    {
        foreach (var breaker in _registry.Breakers)
        {
            if (!_breakers.ContainsKey(breaker.Name))
            {
                Track(breaker, fromRegistry: true);
            }
        }

        long now = Environment.TickCount64;
        if (now < _nextMembershipCheck)
        {
            return;
        }

        _nextMembershipCheck = now + (long)_options.PollInterval.TotalMilliseconds;
        foreach (var shared in _breakers.Values)
        {
            if (shared.FromRegistry && (!_registry.TryGet(shared.Name, out var current) || !ReferenceEquals(current, shared.Breaker)) &&
                _breakers.TryRemove(new KeyValuePair<string, SharedBreaker>(shared.Name, shared)))
            {
                Untrack(shared); // evicted or removed from the registry
            }
        }
    }

    private void OnStateChanged(object? sender, BreakerStateChangedEventArgs e)
    {
        // Runs on the caller's thread inside the breaker's transition: only enqueue.
        if (e.Reason == TransitionReason.External || sender is not CircuitBreaker breaker)
        {
            return;
        }

        if (!_breakers.TryGetValue(breaker.Name, out var shared))
        {
            if (!_registry.TryGet(breaker.Name, out var inRegistry) || !ReferenceEquals(inRegistry, breaker))
            {
                return;
            }

            shared = Track(breaker, fromRegistry: true);
        }

        if (ReferenceEquals(shared.Breaker, breaker) && shared.Mode != SharingMode.Local)
        {
            // A change that will be published: until it is, newer-looking shared state must not undo it.
            bool publishes = e.Reason is TransitionReason.ManualIsolate or TransitionReason.ManualDisable or TransitionReason.ManualReset
                or TransitionReason.ProbeFailed
                || (shared.Mode == SharingMode.Any && e.Reason is TransitionReason.ConsecutiveFailures or TransitionReason.FailureRate or TransitionReason.SlowCallRate);
            if (publishes)
            {
                Interlocked.Increment(ref shared.PendingPublishes);
            }

            _work.Enqueue(new Work(shared, e, null, null, null, publishes));
            Wake();
        }
    }

    /// <summary>An operator's command that found this replica already in the requested state (a reset of a closed
    /// breaker, say, while another replica tripped on its own) changed nothing here and so raised no state change;
    /// it is still meant for every replica, so it is published like <see cref="ResetAsync"/>.</summary>
    private void OnManualControl(object? sender, ManualControlEventArgs e)
    {
        if (!e.StateChanged && Volatile.Read(ref _disposed) == 0 && _breakers.TryGetValue(e.BreakerName, out var shared)
            && ReferenceEquals(shared.Breaker, sender) && shared.Mode != SharingMode.Local)
        {
            EnqueueCommand(shared, e.Target, e.Description, done: null);
        }
    }

    private Task<bool> CommandAsync(string name, BreakerState target, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (!_breakers.TryGetValue(name, out var shared) || shared.Mode == SharingMode.Local)
        {
            throw new ArgumentException($"No breaker named '{name}' is shared by this coordinator.", nameof(name));
        }

        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        EnqueueCommand(shared, target, reason, done);
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Queues a manual state for publishing; until it is published, newer-looking shared state must not undo it.</summary>
    private void EnqueueCommand(SharedBreaker shared, BreakerState target, string? reason, TaskCompletionSource<bool>? done)
    {
        Interlocked.Increment(ref shared.PendingPublishes);
        _work.Enqueue(new Work(shared, null, target, reason, done, Publishes: true));
        Wake();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    // ---------------------------------------------------------------- the loop

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await StepAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                EnterFallback(ex);
            }
#pragma warning disable CA1031 // the loop must survive its own bugs: breakers keep working locally meanwhile
            catch (Exception ex)
#pragma warning restore CA1031
            {
                RedisStateLog.UnexpectedError(_logger, ex);
                EnterFallback(ex);
            }

            try
            {
                await WaitForWorkAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stop)
    {
        if (_available && !_work.IsEmpty)
        {
            return;
        }

        long due = _available ? _nextTick : _nextRetry;
        long delay = Math.Clamp(due - Environment.TickCount64, 0, 60_000);
        if (delay == 0)
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromMilliseconds(delay));
        try
        {
            await _wake.Reader.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
        }
    }

    private async Task StepAsync(CancellationToken stop)
    {
        if (!_available)
        {
            await DrainWorkAsync(stop).ConfigureAwait(false); // records manual changes to publish later
            if (Environment.TickCount64 < _nextRetry)
            {
                return;
            }

            await RecoverAsync(stop).ConfigureAwait(false);
            return;
        }

        Discover();
        await DrainWorkAsync(stop).ConfigureAwait(false);
        long now = Environment.TickCount64;
        if (now >= _nextTick)
        {
            _nextTick = now + (long)_options.FlushInterval.TotalMilliseconds;
            await Task.WhenAll(_breakers.Values.Where(s => s.Mode != SharingMode.Local).Select(s => TickAsync(s, stop))).ConfigureAwait(false);
        }
    }

    /// <summary>Connects (first time) or checks Redis is back, subscribes, publishes manual changes made meanwhile and
    /// reconciles every breaker with the shared state. Throws on a Redis failure (the caller falls back again).</summary>
    private async Task RecoverAsync(CancellationToken stop)
    {
        _nextRetry = Environment.TickCount64 + (long)_options.ReconnectInterval.TotalMilliseconds;
        if (_connection is null)
        {
            _connection = await _connect!(stop).WaitAsync(_options.OperationTimeout * 5 + TimeSpan.FromSeconds(5), stop).ConfigureAwait(false);
        }

        var connection = _connection;
        await Guard(connection.GetDatabase().PingAsync(), stop).ConfigureAwait(false);
        if (_subscription is null)
        {
            var subscription = await Guard(connection.GetSubscriber().SubscribeAsync(_channel), stop).ConfigureAwait(false);
            subscription.OnMessage(OnMessage);
            _subscription = subscription;
        }

        Discover();
        var all = _breakers.Values.Where(s => s.Mode != SharingMode.Local).ToArray();
        foreach (var shared in all)
        {
            shared.Last = shared.Breaker.ReadCallCounts(); // counts made during the outage are stale: not flushed
        }

        await Task.WhenAll(all.Select(s => ResyncAsync(s, stop))).ConfigureAwait(false);

        long downtime = Environment.TickCount64 - _unavailableSince;
        if (_outageLogged && _everConnected)
        {
            RedisStateLog.Restored(_logger, _options.KeyPrefix, ReplicaId, TimeSpan.FromMilliseconds(downtime), all.Length);
        }
        else
        {
            RedisStateLog.Connected(_logger, _options.KeyPrefix, ReplicaId, all.Length);
        }

        _outageLogged = false;
        _everConnected = true;
        _unavailableReason = null;
        _nextTick = 0;
        _available = true;
    }

    private async Task ResyncAsync(SharedBreaker shared, CancellationToken stop)
    {
        BreakerState? pending;
        string? reason;
        lock (shared.Gate)
        {
            pending = shared.PendingManual;
            reason = shared.PendingManualReason;
            shared.PendingManual = null;
        }

        if (pending is { } target)
        {
            try
            {
                long before = shared.Breaker.Generation;
                var won = await SetAsync(shared, target, reason, stop).ConfigureAwait(false);
                Observe(shared, won, Source.OwnManual, before);
            }
            catch
            {
                lock (shared.Gate)
                {
                    shared.PendingManual ??= target;
                    shared.PendingManualReason ??= reason;
                }

                throw;
            }
        }

        long beforeRead = shared.Breaker.Generation;
        var view = await ReadAsync(shared, stop).ConfigureAwait(false);
        Observe(shared, view, Source.Recovery, beforeRead);
        await PushIfWantedAsync(shared, stop).ConfigureAwait(false);
    }

    private void EnterFallback(Exception ex)
    {
        _metrics.RecordError(ex);
        RedisStateLog.OperationFailed(_logger, ex.Message);
        _nextRetry = Environment.TickCount64 + (long)_options.ReconnectInterval.TotalMilliseconds;
        bool wasAvailable = _available;
        _available = false;
        if (wasAvailable)
        {
            _unavailableSince = Environment.TickCount64;
            _unavailableSinceUtc = DateTimeOffset.UtcNow;
        }

        _unavailableReason = ex is TimeoutException
            ? string.Create(CultureInfo.InvariantCulture, $"no answer within {_options.OperationTimeout.TotalMilliseconds:0} ms")
            : ex.Message;
        if (!_outageLogged)
        {
            _outageLogged = true;
            RedisStateLog.Unavailable(_logger, _options.KeyPrefix, ReplicaId, _unavailableReason, ex is TimeoutException ? null : ex);
        }

        foreach (var shared in _breakers.Values)
        {
            lock (shared.Gate)
            {
                ReleaseHold(shared, "redis unavailable");
            }
        }
    }

    /// <summary>Lets a breaker that waits on a cluster decision decide alone: a held half-open round becomes a normal
    /// local round; a break extended by <see cref="RedisStateOptions.HoldGrace"/> ends when the shared break ends.</summary>
    private void ReleaseHold(SharedBreaker shared, string why)
    {
        var view = shared.View;
        if (shared.IsHeld)
        {
            long g = shared.Breaker.ApplyExternal(new ExternalState
            {
                State = BreakerState.HalfOpen,
                ConsecutiveOpens = view?.ConsecutiveOpens ?? 0,
                Description = $"{why}: probing locally",
            });
            shared.LocalGenerationAtSync = g;
        }
        else if (view is { State: BreakerState.Open } && shared.Breaker.RecordedState == BreakerState.Open &&
                 shared.Breaker.Generation == shared.LocalGenerationAtSync)
        {
            long left = Math.Max(1, view.OpenUntil - Environment.TickCount64);
            long g = shared.Breaker.ApplyExternal(new ExternalState
            {
                State = BreakerState.Open,
                OpenFor = TimeSpan.FromMilliseconds(left),
                ConsecutiveOpens = view.ConsecutiveOpens,
                Description = $"{Describe(view)}; {why}",
            });
            shared.LocalGenerationAtSync = g;
        }

        shared.HeldLocalGeneration = -1;
    }

    // ---------------------------------------------------------------- local changes and commands

    private async Task DrainWorkAsync(CancellationToken stop)
    {
        while (_work.TryDequeue(out var work))
        {
            var shared = work.Shared;
            try
            {
                if (shared.Detached)
                {
                    work.Done?.TrySetResult(false);
                }
                else if (!_available)
                {
                    ApplyWhileUnavailable(work);
                }
                else
                {
                    try
                    {
                        await HandleAsync(work, stop).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (IsRedisFailure(ex))
                    {
                        EnterFallback(ex);
                        ApplyWhileUnavailable(work);
                    }
                }
            }
            finally
            {
                if (work.Publishes)
                {
                    Interlocked.Decrement(ref shared.PendingPublishes);
                }
            }
        }
    }

    private void ApplyWhileUnavailable(Work work)
    {
        var shared = work.Shared;
        if (work.Command is { } command)
        {
            // Apply here now; the breaker's own event records it for publishing.
            switch (command)
            {
                case BreakerState.Isolated: shared.Breaker.Isolate(work.Reason); break;
                case BreakerState.Disabled: shared.Breaker.Disable(work.Reason); break;
                default: shared.Breaker.Reset(work.Reason); break;
            }

            lock (shared.Gate)
            {
                shared.PendingManual = command;
                shared.PendingManualReason = work.Reason;
            }

            work.Done?.TrySetResult(false);
            return;
        }

        if (work.Change is { Reason: TransitionReason.ManualIsolate or TransitionReason.ManualDisable or TransitionReason.ManualReset } e)
        {
            lock (shared.Gate)
            {
                shared.PendingManual = e.NewState;
                shared.PendingManualReason = e.Description;
            }
        }
    }

    private async Task HandleAsync(Work work, CancellationToken stop)
    {
        var shared = work.Shared;
        long before = shared.Breaker.Generation;
        if (work.Command is { } command)
        {
            var view = await SetAsync(shared, command, work.Reason, stop).ConfigureAwait(false);
            Observe(shared, view, Source.OwnCommand, before, publishing: true);
            work.Done?.TrySetResult(true);
            return;
        }

        var e = work.Change!;
        switch (e.Reason)
        {
            case TransitionReason.ManualIsolate or TransitionReason.ManualDisable or TransitionReason.ManualReset:
            {
                var view = await SetAsync(shared, e.NewState, e.Description, stop).ConfigureAwait(false);
                Observe(shared, view, Source.OwnManual, before, publishing: true);
                break;
            }

            case TransitionReason.ConsecutiveFailures or TransitionReason.FailureRate or TransitionReason.SlowCallRate:
            {
                if (shared.Mode == SharingMode.Any)
                {
                    // One replica opening opens all: compare-and-set on the shared state being closed (whatever its
                    // generation: a reset seen late is older than this trip). Open, half-open or manual states win.
                    var view = await TransitionAsync(shared, "open", BreakerState.Open, "", -1, (int)BreakerState.Closed,
                        due: false, $"replica {ReplicaId}: {e.Description}", stop).ConfigureAwait(false);
                    Observe(shared, view, Source.OwnTransition, before, publishing: true);
                }
                else
                {
                    // Quorum: the cluster decides; flush the counts now with this replica's trip vote.
                    await FlushAsync(shared, stop, vote: true).ConfigureAwait(false);
                }

                break;
            }

            case TransitionReason.ProbeFailed:
            {
                long heldCluster;
                bool fromHeldRound;
                lock (shared.Gate)
                {
                    fromHeldRound = shared.HeldLocalGeneration >= 0 && e.Generation == shared.HeldLocalGeneration + 1;
                    heldCluster = shared.HeldClusterGeneration;
                }

                if (fromHeldRound)
                {
                    var view = await TransitionAsync(shared, "reopen", BreakerState.Open, shared.Epoch ?? "", heldCluster, (int)BreakerState.HalfOpen,
                        due: false, $"a half-open probe failed on replica {ReplicaId}", stop).ConfigureAwait(false);
                    Observe(shared, view, Source.OwnTransition, before, publishing: true);
                }

                break;
            }

            default:
                break; // BreakElapsed, ProbesSucceeded: local rounds, nothing to share
        }
    }

    // ---------------------------------------------------------------- the periodic work of one breaker

    private async Task TickAsync(SharedBreaker shared, CancellationToken stop)
    {
        try
        {
            await TickCoreAsync(shared, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (!IsRedisFailure(ex) && ex is not OperationCanceledException)
        {
            RedisStateLog.UnexpectedError(_logger, ex);
        }
    }

    private async Task TickCoreAsync(SharedBreaker shared, CancellationToken stop)
    {
        if (Volatile.Read(ref shared.NeedsSync))
        {
            Volatile.Write(ref shared.NeedsSync, false);
            long beforeSync = shared.Breaker.Generation;
            var first = await ReadAsync(shared, stop).ConfigureAwait(false);
            Observe(shared, first, Source.Poll, beforeSync);
            await PushIfWantedAsync(shared, stop).ConfigureAwait(false);
            return;
        }

        var counts = shared.Breaker.ReadCallCounts();
        long rejected = counts.Rejected - Math.Max(shared.Last.Rejected, shared.RejectedAtGrant); // demand since the last grant

        ClusterView? view;
        bool held;
        long heldLocal, heldCluster;
        int reported;
        lock (shared.Gate)
        {
            view = shared.View;
            held = shared.IsHeld;
            heldLocal = shared.HeldLocalGeneration;
            heldCluster = shared.HeldClusterGeneration;
            reported = shared.ReportedSuccesses;
        }

        if (view is null)
        {
            Volatile.Write(ref shared.NeedsSync, true);
            return;
        }

        long now = Environment.TickCount64;
        long before = shared.Breaker.Generation;
        bool synced = false;
        if (held && shared.Breaker.GetHalfOpenProgress() is { } progress && progress.Generation == heldLocal)
        {
            int newSuccesses = progress.Successes - reported;
            if (newSuccesses > 0)
            {
                var reply = await ProbeSucceededAsync(shared, heldCluster, newSuccesses, stop).ConfigureAwait(false);
                if (reply.Code > 0)
                {
                    lock (shared.Gate)
                    {
                        if (shared.HeldLocalGeneration == heldLocal)
                        {
                            shared.ReportedSuccesses += newSuccesses;
                        }
                    }
                }

                Observe(shared, reply, Source.OwnTransition, before);
                synced = true;
            }
            else if (rejected > 0 && progress.FreeSlots == 0 && progress.UngrantedSlots > 0)
            {
                // Demand: calls were rejected for want of a probe slot. Claim one permit of the shared round per
                // tick, so that when several replicas have traffic the probes spread over them.
                var reply = await ClaimAsync(shared, heldCluster, 1, stop).ConfigureAwait(false);
                if (reply.Code == 1 && reply.Extra > 0)
                {
                    lock (shared.Gate)
                    {
                        if (shared.HeldLocalGeneration == heldLocal)
                        {
                            shared.Breaker.GrantProbes(heldLocal, (int)reply.Extra);
                            shared.RejectedAtGrant = shared.Breaker.ReadCallCounts().Rejected;
                        }
                    }
                }

                Observe(shared, reply, Source.Poll, before);
                synced = true;
            }
        }

        before = shared.Breaker.Generation;
        if (view.State == BreakerState.HalfOpen && now >= view.RoundDeadline)
        {
            // The round outlived its timeout (a replica holding permits died or stopped calling): start a new one.
            var reply = await TransitionAsync(shared, "halfopen", BreakerState.HalfOpen, view.Epoch, view.Generation, (int)BreakerState.HalfOpen,
                due: true, "the half-open round timed out: new round", stop).ConfigureAwait(false);
            Observe(shared, reply, Source.OwnTransition, before);
            synced = true;
        }
        else if (view.State == BreakerState.Open && now >= view.OpenUntil)
        {
            var reply = await TransitionAsync(shared, "halfopen", BreakerState.HalfOpen, view.Epoch, view.Generation, (int)BreakerState.Open,
                due: true, "break duration elapsed", stop).ConfigureAwait(false);
            Observe(shared, reply, Source.OwnTransition, before);
            synced = true;
        }

        if (view.State is BreakerState.Closed or BreakerState.Disabled)
        {
            synced |= await FlushAsync(shared, stop).ConfigureAwait(false);
        }
        else
        {
            shared.Last = counts; // counts outside the closed state are not shared
        }

        if (!synced && now - shared.LastSyncAt >= (long)_options.PollInterval.TotalMilliseconds)
        {
            long beforePoll = shared.Breaker.Generation;
            var polled = await ReadAsync(shared, stop).ConfigureAwait(false);
            Observe(shared, polled, Source.Poll, beforePoll);
        }

        await PushIfWantedAsync(shared, stop).ConfigureAwait(false);
    }

    /// <summary>Flushes the calls and failures since the last flush; false when there were none (and no vote).</summary>
    /// <param name="shared">The breaker.</param>
    /// <param name="stop">Stops the loop.</param>
    /// <param name="vote">The local breaker just tripped: record this replica as one that gave up, for the quorum.</param>
    private async Task<bool> FlushAsync(SharedBreaker shared, CancellationToken stop, bool vote = false)
    {
        long before = shared.Breaker.Generation;
        var counts = shared.Breaker.ReadCallCounts();
        long failures = counts.Failed - shared.Last.Failed;
        long calls = counts.Successful - shared.Last.Successful + failures;
        shared.Last = counts;
        string epoch;
        long generation;
        lock (shared.Gate)
        {
            epoch = shared.Epoch ?? "";
            generation = shared.KnownGeneration;
            if (shared.DiscardCounts)
            {
                shared.DiscardCounts = false;
                calls = 0;
            }
        }

        if (calls <= 0 && !vote)
        {
            return false;
        }

        var options = shared.Breaker.Options;
        var thresholds = ClusterThresholds.For(options, _options, shared.Mode);
        var keys = WindowKeys(shared, thresholds.Window, includeState: true);
        var (baseMs, backoff, maxMs, jitter) = Break(options);
        var args = new RedisValue[]
        {
            NewEpoch(), epoch, generation, ReplicaId, calls, failures, (long)(thresholds.Window + _options.BucketDuration * 2).TotalMilliseconds,
            Num(thresholds.FailureRate), thresholds.MinimumCalls, thresholds.QuorumMinReplicas, Num(thresholds.QuorumFraction),
            baseMs, Num(backoff), maxMs, Num(jitter), Num(Random.Shared.NextDouble()), StateTtl, _channel.ToString(), shared.Name, NowMicros(), vote ? "1" : "0",
        };
        var view = await EvalAsync(RedisScripts.Flush, keys, args, stop).ConfigureAwait(false);
        if (view.Code == 2)
        {
            _metrics.RecordDecision(shared.Name, won: true);
            RedisStateLog.Won(_logger, shared.Name, BreakerState.Open, ReplicaId, view.Description);
        }

        Observe(shared, view, Source.OwnTransition, before);
        return true;
    }

    private async Task PushIfWantedAsync(SharedBreaker shared, CancellationToken stop)
    {
        ClusterView? view;
        BreakerState local;
        long localGeneration;
        lock (shared.Gate)
        {
            if (!shared.PushWanted)
            {
                return;
            }

            shared.PushWanted = false;
            view = shared.View;
            local = shared.Breaker.RecordedState;
            localGeneration = shared.Breaker.Generation;
        }

        if (view is null)
        {
            return;
        }

        var reply = local == BreakerState.Open
            ? await TransitionAsync(shared, "open", BreakerState.Open, view.Epoch, view.Generation, (int)view.State, due: false,
                $"replica {ReplicaId} was open when Redis came back", stop).ConfigureAwait(false)
            : await TransitionAsync(shared, "set", local, view.Epoch, view.Generation, -1, due: false,
                $"replica {ReplicaId} was {StateNames.Of(local)} when Redis came back", stop).ConfigureAwait(false);
        Observe(shared, reply, Source.OwnTransition, localGeneration);
    }

    // ---------------------------------------------------------------- adopting the shared state

    private enum Source
    {
        Message,
        Poll,
        Recovery,
        OwnTransition,
        OwnManual,
        OwnCommand,
    }

    private void OnMessage(ChannelMessage message)
    {
        if (!_available || !PubSubEnabled || Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        byte[]? bytes = message.Message;
        if (bytes is null || ClusterView.FromMessage(bytes) is not { } parsed ||
            !_breakers.TryGetValue(parsed.Name, out var shared) || shared.Mode == SharingMode.Local)
        {
            return;
        }

        var view = parsed.View;
        if (string.Equals(view.DecidedBy, ReplicaId, StringComparison.Ordinal))
        {
            // This replica's own decision: the script's reply carries it and is adopted only if the breaker has not
            // changed since; adopting the echo unconditionally could undo a newer local change.
            return;
        }

        Observe(shared, view, Source.Message);
        if (view.SentAtMicros > 0)
        {
            _metrics.RecordPropagation(shared.Name, (NowMicros() - view.SentAtMicros) / 1000.0);
        }
    }

    /// <summary>
    /// Takes in a view of the shared state. A newer shared transition is adopted. Otherwise, when the replica has
    /// diverged (or is reconciling after an outage, or Redis lost the state), the more severe state wins: a less severe
    /// local state adopts the shared one; a more severe one is pushed to Redis when it came from the shared state
    /// (Redis lost it) or when the mode is <see cref="SharingMode.Any"/>.
    /// </summary>
    private void Observe(SharedBreaker shared, ClusterView view, Source source, long? localGenerationBefore = null, bool publishing = false)
    {
        if (view.Code == 0 && source is Source.OwnTransition or Source.OwnManual or Source.OwnCommand)
        {
            _metrics.RecordDecision(shared.Name, won: false);
        }

        lock (shared.Gate)
        {
            if (shared.Detached)
            {
                return;
            }

            bool firstSight = shared.Epoch is null;
            bool epochChanged = !string.Equals(shared.Epoch, view.Epoch, StringComparison.Ordinal);
            if (!epochChanged && view.Generation < shared.KnownGeneration)
            {
                return; // older than what this replica already knows
            }

            bool news = epochChanged ? view.Generation > 0 : view.Generation > shared.KnownGeneration;
            if (news && Volatile.Read(ref shared.PendingPublishes) > (publishing ? 1 : 0))
            {
                // A local change is queued for publishing and is newer than anything this view can tell: publish it
                // first, then look again.
                Volatile.Write(ref shared.NeedsSync, true);
                return;
            }

            if (news)
            {
                // A message is adopted as it comes. A reply to this replica's own call is adopted only if the breaker
                // did not change while the call was in flight: a newer local change must not be undone. If it did,
                // the view is not recorded and the next tick reads the state again.
                // A breaker that reset itself already cleared its window; clearing it again now could drop outcomes
                // recorded since. A reset decided anywhere else (or by this coordinator's ResetAsync) clears it here.
                bool clearWindow = source == Source.OwnCommand || !string.Equals(view.DecidedBy, ReplicaId, StringComparison.Ordinal);
                if (!Adopt(shared, view, localGenerationBefore, clearWindow))
                {
                    Volatile.Write(ref shared.NeedsSync, true);
                    return;
                }

                Record(shared, view);
                if (source is Source.OwnManual or Source.OwnCommand or Source.OwnTransition && view.Code > 0 &&
                    string.Equals(view.DecidedBy, ReplicaId, StringComparison.Ordinal))
                {
                    _metrics.RecordDecision(shared.Name, won: true);
                }

                return;
            }

            Record(shared, view);
            bool diverged = epochChanged || source == Source.Recovery || shared.Breaker.Generation != shared.LocalGenerationAtSync;
            if (diverged && Volatile.Read(ref shared.PendingPublishes) > (publishing ? 1 : 0))
            {
                Volatile.Write(ref shared.NeedsSync, true); // reconcile after the queued local change is published
            }
            else if (diverged)
            {
                Reconcile(shared, view, lostState: epochChanged && !firstSight);
            }
        }
    }

    private static void Record(SharedBreaker shared, ClusterView view)
    {
        shared.Epoch = view.Epoch;
        shared.KnownGeneration = view.Generation;
        shared.View = view;
        shared.LastSyncAt = Environment.TickCount64;
        shared.LastSyncedAt = DateTimeOffset.UtcNow;
    }

    private void Reconcile(SharedBreaker shared, ClusterView view, bool lostState)
    {
        var local = shared.Breaker.RecordedState;
        if (local == view.State && local is BreakerState.Closed or BreakerState.Disabled or BreakerState.Isolated)
        {
            shared.LocalGenerationAtSync = shared.Breaker.Generation; // same state: in sync
            return;
        }

        // The same open or half-open state, but decided here (a trip that lost the race to another replica's open,
        // a local round): take the shared one, whose break waits for the cluster's half-open and whose probes are capped.
        bool sameButLocal = local == view.State && !(local == BreakerState.HalfOpen && shared.IsHeld) &&
                            shared.Breaker.Generation != shared.LocalGenerationAtSync;
        bool manualCluster = view.State is BreakerState.Isolated or BreakerState.Disabled;
        int localSeverity = Severity(local);
        int clusterSeverity = Severity(view.State);
        if (manualCluster || localSeverity < clusterSeverity || sameButLocal)
        {
            if (!Adopt(shared, view, shared.Breaker.Generation, clearWindow: !string.Equals(view.DecidedBy, ReplicaId, StringComparison.Ordinal)))
            {
                Volatile.Write(ref shared.NeedsSync, true); // a local change raced with this one: look again
            }

            return;
        }

        bool adopted = shared.LocalGenerationAtSync >= 0 && shared.Breaker.Generation == shared.LocalGenerationAtSync;
        if (localSeverity > clusterSeverity &&
            ((lostState && adopted) || (shared.Mode == SharingMode.Any && local == BreakerState.Open) ||
             (lostState && local is BreakerState.Isolated or BreakerState.Disabled)))
        {
            shared.PushWanted = true;
        }
    }

    private bool Adopt(SharedBreaker shared, ClusterView view, long? expectedLocalGeneration, bool clearWindow)
    {
        string description = Describe(view);
        var external = view.State switch
        {
            BreakerState.Closed => new ExternalState { State = BreakerState.Closed, ClearWindow = clearWindow, Description = description },
            BreakerState.Open => new ExternalState
            {
                State = BreakerState.Open,
                OpenFor = TimeSpan.FromMilliseconds(Math.Max(1, view.OpenUntil - Environment.TickCount64)) + _options.HoldGrace,
                ConsecutiveOpens = view.ConsecutiveOpens,
                Description = description,
            },
            BreakerState.HalfOpen => new ExternalState
            {
                State = BreakerState.HalfOpen, ProbePermits = 0, CloseOnProbeSuccess = false, ConsecutiveOpens = view.ConsecutiveOpens, Description = description,
            },
            _ => new ExternalState { State = view.State, Description = description },
        };

        long generation;
        if (expectedLocalGeneration is { } expected)
        {
            if (!shared.Breaker.TryApplyExternal(external, expected, out generation))
            {
                return false;
            }
        }
        else
        {
            generation = shared.Breaker.ApplyExternal(external);
        }

        shared.LocalGenerationAtSync = generation;
        shared.DiscardCounts |= view.State == BreakerState.Closed && clearWindow;
        if (view.State == BreakerState.HalfOpen)
        {
            shared.HeldLocalGeneration = generation;
            shared.HeldClusterGeneration = view.Generation;
            shared.ReportedSuccesses = 0;
        }
        else
        {
            shared.HeldLocalGeneration = -1;
        }

        RedisStateLog.Adopted(_logger, shared.Name, view.State, view.Generation, view.DecidedBy, view.Description);
        return true;
    }

    private static string Describe(ClusterView view) =>
        view.DecidedBy.Length == 0 ? $"cluster: {view.Description}" : $"cluster: {view.Description} (by {view.DecidedBy})";

    private static int Severity(BreakerState state) => state switch
    {
        BreakerState.Isolated => 3,
        BreakerState.Open => 2,
        BreakerState.HalfOpen => 1,
        _ => 0,
    };

    // ---------------------------------------------------------------- scripts

    private Task<ClusterView> ReadAsync(SharedBreaker shared, CancellationToken stop) =>
        EvalAsync(RedisScripts.Read, [shared.StateKey], [], stop);

    private Task<ClusterView> ClaimAsync(SharedBreaker shared, long clusterGeneration, int want, CancellationToken stop) =>
        EvalAsync(RedisScripts.Claim, [shared.StateKey], [shared.Epoch ?? "", clusterGeneration, want], stop);

    private Task<ClusterView> ProbeSucceededAsync(SharedBreaker shared, long clusterGeneration, int successes, CancellationToken stop)
    {
        var window = ClusterThresholds.For(shared.Breaker.Options, _options, shared.Mode).Window;
        return EvalAsync(RedisScripts.ProbeSucceeded, WindowKeys(shared, window, includeState: true),
            [shared.Epoch ?? "", clusterGeneration, successes, ReplicaId, StateTtl, _channel.ToString(), shared.Name, NowMicros()], stop);
    }

    private async Task<ClusterView> SetAsync(SharedBreaker shared, BreakerState target, string? reason, CancellationToken stop)
    {
        string what = target switch
        {
            BreakerState.Isolated => "isolated",
            BreakerState.Disabled => "disabled",
            _ => "reset",
        };
        var view = await TransitionAsync(shared, "set", target, "", -1, -1, due: false,
            string.IsNullOrEmpty(reason) ? $"{what} by an operator on replica {ReplicaId}" : $"{what}: {reason}", stop).ConfigureAwait(false);
        return view;
    }

    private async Task<ClusterView> TransitionAsync(SharedBreaker shared, string kind, BreakerState target, string expectedEpoch, long expectedGeneration,
        int expectedState, bool due, string description, CancellationToken stop)
    {
        var options = shared.Breaker.Options;
        var (baseMs, backoff, maxMs, jitter) = Break(options);
        var window = ClusterThresholds.For(options, _options, shared.Mode).Window;
        long roundMs = (long)(_options.ProbeRoundTimeout ?? options.ProbeTimeout + (2 * _options.FlushInterval)).TotalMilliseconds;
        var args = new RedisValue[]
        {
            NewEpoch(), expectedEpoch, expectedGeneration, expectedState, kind, (int)target, due ? "1" : "0", ReplicaId, description,
            baseMs, Num(backoff), maxMs, Num(jitter), Num(Random.Shared.NextDouble()),
            options.HalfOpenPermits, options.SuccessesToClose ?? options.HalfOpenPermits, roundMs, StateTtl, _channel.ToString(), shared.Name, NowMicros(),
        };
        var keys = target == BreakerState.Closed ? WindowKeys(shared, window, includeState: true) : [shared.StateKey];
        var view = await EvalAsync(RedisScripts.Transition, keys, args, stop).ConfigureAwait(false);
        if (view.Code == 1)
        {
            RedisStateLog.Won(_logger, shared.Name, view.State, ReplicaId, view.Description);
        }

        return view;
    }

    private async Task<ClusterView> EvalAsync(string script, RedisKey[] keys, RedisValue[] args, CancellationToken stop)
    {
        var connection = _connection ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "not connected yet", null, CommandStatus.Unknown);
        var result = await Guard(connection.GetDatabase().ScriptEvaluateAsync(script, keys, args), stop).ConfigureAwait(false);
        return ClusterView.FromReply(result);
    }

    /// <summary>Waits for a Redis operation at most <see cref="RedisStateOptions.OperationTimeout"/>. An abandoned
    /// operation's late failure is observed so it never surfaces as an unobserved task exception.</summary>
    private async Task<T> Guard<T>(Task<T> operation, CancellationToken stop)
    {
        try
        {
            return await operation.WaitAsync(_options.OperationTimeout, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            _ = operation.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
    }

    private RedisKey[] WindowKeys(SharedBreaker shared, TimeSpan window, bool includeState)
    {
        long bucketMs = (long)_options.BucketDuration.TotalMilliseconds;
        long current = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / bucketMs;
        int count = (int)Math.Ceiling(window.TotalMilliseconds / bucketMs);
        var keys = new RedisKey[count + (includeState ? 1 : 0)];
        int i = 0;
        if (includeState)
        {
            keys[i++] = shared.StateKey;
        }

        for (int b = 0; b < count; b++)
        {
            keys[i++] = shared.BucketKey(current - b);
        }

        return keys;
    }

    private long StateTtl => (long)_options.StateTimeToLive.TotalMilliseconds;

    private static (long BaseMs, double Backoff, long MaxMs, double Jitter) Break(CircuitBreakerOptions options) =>
        ((long)Math.Max(1, options.BreakDuration.TotalMilliseconds), options.BreakDurationBackoff,
            (long)(options.MaxBreakDuration?.TotalMilliseconds ?? 0), options.BreakDurationJitter);

    private static RedisValue Num(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string NewEpoch() => Guid.NewGuid().ToString("N")[..12];

    private static long NowMicros() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;

    internal static bool IsRedisFailure(Exception ex) =>
        ex is RedisException or TimeoutException or SocketException or IOException or ObjectDisposedException ||
        (ex is AggregateException agg && agg.InnerExceptions.All(IsRedisFailure));

    private static string DefaultReplicaId() =>
        $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    private static Func<CancellationToken, Task<IConnectionMultiplexer>> ConnectFunc(string connectionString, RedisStateOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var config = ConfigurationOptions.Parse(connectionString);
        config.AbortOnConnectFail = false;               // keep retrying in the background; never throw at start-up
        config.BacklogPolicy = BacklogPolicy.FailFast;   // a disconnected command fails at once instead of queueing
        config.ClientName ??= "fusebox";
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 5_000); // back within seconds after an outage
        var timeout = options?.OperationTimeout ?? new RedisStateOptions().OperationTimeout;
        config.AsyncTimeout = Math.Max(config.AsyncTimeout, (int)timeout.TotalMilliseconds);
        return async _ => await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
    }

    /// <summary>A local transition to share, or a command from <see cref="IsolateAsync"/> and friends.</summary>
    private sealed record Work(SharedBreaker Shared, BreakerStateChangedEventArgs? Change, BreakerState? Command, string? Reason,
        TaskCompletionSource<bool>? Done, bool Publishes);
}
