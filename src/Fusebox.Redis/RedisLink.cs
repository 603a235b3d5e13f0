using System.Globalization;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Fusebox.Redis;

/// <summary>
/// The connection to Redis and whether it is usable: connecting (in the background, never at construction),
/// subscribing, running a script within <see cref="RedisStateOptions.OperationTimeout"/>, and the availability the
/// coordinator reports. The reason it reports is a generic, stable description; the raw client error (which names
/// hosts and ports) goes only to the log.
/// </summary>
internal sealed class RedisLink(CoordinatorContext context, IConnectionMultiplexer? connection,
    Func<CancellationToken, Task<IConnectionMultiplexer>>? connect, bool ownsConnection)
{
    private IConnectionMultiplexer? _connection = connection;
    private ChannelMessageQueue? _subscription;
    private volatile bool _available;
    private volatile string? _unavailableReason = "not connected yet";
    private DateTimeOffset? _unavailableSinceUtc = context.Clock.UtcNow;
    private long _unavailableSince = context.Clock.NowMs;
    private bool _outageLogged;
    private bool _everConnected;
    private int _inFlight;
    private int _mostInFlight;
    private volatile TaskCompletionSource _availableSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Available => _available;

    public string? UnavailableReason => _available ? null : _unavailableReason;

    public DateTimeOffset? UnavailableSince => _available ? null : _unavailableSinceUtc;

    /// <summary>Completes when Redis is available (at once while it is), so waiting for it needs no polling clock.</summary>
    /// <remarks>Only the loop replaces or completes the signal: <see cref="MarkUnavailable"/> replaces it before clearing
    /// <see cref="Available"/>, <see cref="MarkAvailable"/> completes it after setting it. A waiter that read
    /// <see cref="Available"/> false and then takes the signal gets either the completed one (it returns at once) or, if
    /// Redis failed again in between, the next one (it returns at the next recovery or its timeout): never a signal that
    /// stays incomplete while Redis is available.</remarks>
    public Task WhenAvailable => _availableSignal.Task;

    /// <summary>Connects (first time), checks Redis answers and subscribes to the prefix's channel. Throws on a Redis failure.</summary>
    public async Task ConnectAsync(Action<ChannelMessage> onMessage, CancellationToken stop)
    {
        _connection ??= await connect!(stop).WaitAsync(context.Options.OperationTimeout * 5 + TimeSpan.FromSeconds(5), context.Clock.Provider, stop)
            .ConfigureAwait(false);
        var current = _connection;
        await Guard(current.GetDatabase().PingAsync(), stop).ConfigureAwait(false);
        if (_subscription is null)
        {
            var subscription = await Guard(current.GetSubscriber().SubscribeAsync(context.Channel), stop).ConfigureAwait(false);
            subscription.OnMessage(onMessage);
            _subscription = subscription;
        }
    }

    /// <summary>True when Redis answers a ping within the operation timeout (any node of a cluster).</summary>
    public async Task<bool> AnswersAsync(CancellationToken stop)
    {
        if (_connection is not { } current)
        {
            return false;
        }

        try
        {
            await Guard(current.GetDatabase().PingAsync(), stop).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            return false;
        }
    }

    /// <summary>Runs a script; throws on a Redis failure or when it takes longer than the operation timeout.</summary>
    public Task<RedisResult> EvalAsync(string script, RedisKey[] keys, RedisValue[] args, CancellationToken stop)
    {
        var current = _connection ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "not connected yet", null, CommandStatus.Unknown);
        return Guard(current.GetDatabase().ScriptEvaluateAsync(script, keys, args), stop);
    }

    /// <summary>Runs one command (the change log's stream commands); throws on a Redis failure or after the operation timeout.</summary>
    public Task<T> RunAsync<T>(Func<IDatabase, Task<T>> command, CancellationToken stop)
    {
        var current = _connection ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "not connected yet", null, CommandStatus.Unknown);
        return Guard(command(current.GetDatabase()), stop);
    }

    /// <summary>Redis answers again: logs the connection or the recovery (once per outage).</summary>
    public void MarkAvailable(int breakers)
    {
        if (_outageLogged && _everConnected)
        {
            RedisStateLog.Restored(context.Logger, context.Options.KeyPrefix, context.ReplicaId,
                TimeSpan.FromMilliseconds(context.Clock.NowMs - _unavailableSince), breakers);
        }
        else
        {
            RedisStateLog.Connected(context.Logger, context.Options.KeyPrefix, context.ReplicaId, breakers);
        }

        _outageLogged = false;
        _everConnected = true;
        _unavailableReason = null;
        _available = true;
        _availableSignal.TrySetResult();
    }

    /// <summary>Redis failed: counts it, logs the outage once (with the raw error), and reports a generic reason.</summary>
    public void MarkUnavailable(Exception ex)
    {
        context.Metrics.RecordError(ex);
        RedisStateLog.OperationFailed(context.Logger, ex.Message);
        if (_available)
        {
            _unavailableSince = context.Clock.NowMs;
            _unavailableSinceUtc = context.Clock.UtcNow;
            _availableSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _available = false;
        _unavailableReason = Describe(ex, context.Options.OperationTimeout);
        if (!_outageLogged)
        {
            _outageLogged = true;
            RedisStateLog.Unavailable(context.Logger, context.Options.KeyPrefix, context.ReplicaId, _unavailableReason, ex);
        }
    }

    /// <summary>A stable description of why Redis is unavailable, without the client's text (hosts, ports, internals),
    /// for <see cref="RedisStateCoordinator.UnavailableReason"/> and the admin API's <c>coordination.detail</c>.</summary>
    public static string Describe(Exception ex, TimeSpan operationTimeout) => ex switch
    {
        TimeoutException or RedisTimeoutException =>
            string.Create(CultureInfo.InvariantCulture, $"no answer within {operationTimeout.TotalMilliseconds:0} ms"),
        RedisConnectionException c => $"connection failed ({c.FailureType})",
        RedisServerException => "the server refused the operation",
        SocketException or IOException => "network error",
        ObjectDisposedException => "connection closed",
        _ => $"unexpected error ({ex.GetType().Name})",
    };

    public static bool IsRedisFailure(Exception ex) =>
        ex is RedisException or TimeoutException or SocketException or IOException or ObjectDisposedException ||
        (ex is AggregateException agg && agg.InnerExceptions.All(IsRedisFailure));

    /// <summary>Unsubscribes and closes a connection the coordinator opened itself.</summary>
    public async ValueTask CloseAsync()
    {
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

        if (ownsConnection && _connection is { } owned)
        {
            try
            {
                await owned.CloseAsync(allowCommandsToComplete: false).WaitAsync(TimeSpan.FromSeconds(2), context.Clock.Provider).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
            }

            owned.Dispose();
        }
    }

    /// <summary>A StackExchange.Redis configuration for a connection the coordinator opens: keeps retrying in the
    /// background, fails fast while disconnected, and is back within seconds after an outage.</summary>
    public static Func<CancellationToken, Task<IConnectionMultiplexer>> ConnectFunc(string connectionString, RedisStateOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var config = ConfigurationOptions.Parse(connectionString);
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        config.ClientName ??= "fusebox";
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 5_000);
        var timeout = options?.OperationTimeout ?? new RedisStateOptions().OperationTimeout;
        config.AsyncTimeout = Math.Max(config.AsyncTimeout, (int)timeout.TotalMilliseconds);
        return async _ => await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
    }

    /// <summary>For tests: the most operations this link ever had waiting at once (see <see cref="CoordinatorLoop"/>'s batches).</summary>
    public int MostInFlight => Volatile.Read(ref _mostInFlight);

    /// <summary>Waits for a Redis operation at most <see cref="RedisStateOptions.OperationTimeout"/>. An abandoned
    /// operation's late failure is observed so it never surfaces as an unobserved task exception.</summary>
    private async Task<T> Guard<T>(Task<T> operation, CancellationToken stop)
    {
        int inFlight = Interlocked.Increment(ref _inFlight);
        for (int most = Volatile.Read(ref _mostInFlight); inFlight > most; most = Volatile.Read(ref _mostInFlight))
        {
            Interlocked.CompareExchange(ref _mostInFlight, inFlight, most);
        }

        try
        {
            return await operation.WaitAsync(context.Options.OperationTimeout, context.Clock.Provider, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            _ = operation.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
