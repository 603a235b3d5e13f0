using System.Collections.Concurrent;
using Fusebox.Coordination;

namespace Fusebox.Redis;

/// <summary>
/// The breakers one coordinator shares: the registry's (picked up as they appear, dropped when evicted) and attached
/// standalone ones; the hooks on them (state changes and manual commands feed the <see cref="ChangeQueue"/>, snapshots
/// carry the coordination status); and their status reports.
/// </summary>
internal sealed class SharedBreakerSet(CoordinatorContext context, CircuitBreakerRegistry registry, RedisLink link, ChangeQueue queue, StateAdopter adopter,
    ReplicaStatusBoard replicas)
{
    private readonly ConcurrentDictionary<string, SharedBreaker> _breakers = new(StringComparer.Ordinal);
    private long _nextMembershipCheck;
    private int _registrySizeSeen = -1;
    private volatile bool _stopping;

    private SharedBreaker[] _shared = [];
    private int _sharedVersion = -1;
    private int _version;

    public ICollection<SharedBreaker> All => _breakers.Values;

    /// <summary>The breakers shared through Redis (not <see cref="SharingMode.Local"/>). Built again only after a breaker
    /// was added or removed (a tick of 10,000 idle breakers must not copy them): the version is read before the copy, so
    /// a change racing with it leaves the version ahead and the next call copies again.</summary>
    public SharedBreaker[] Shared()
    {
        int version = Volatile.Read(ref _version);
        if (version != _sharedVersion)
        {
            _shared = _breakers.Values.Where(s => s.Mode != SharingMode.Local).ToArray();
            _sharedVersion = version;
        }

        return _shared;
    }

    public bool TryGet(string name, out SharedBreaker shared) => _breakers.TryGetValue(name, out shared!);

    public void Start()
    {
        registry.StateChanged += OnStateChanged;
        Discover();
    }

    public void BeginStop() => _stopping = true;

    public void Stop()
    {
        registry.StateChanged -= OnStateChanged;
        foreach (var shared in _breakers.Values)
        {
            Untrack(shared);
        }

        _breakers.Clear();
    }

    public void Attach(CircuitBreaker breaker)
    {
        bool inRegistry = registry.TryGet(breaker.Name, out var registered) && ReferenceEquals(registered, breaker);
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

    public bool Detach(CircuitBreaker breaker)
    {
        if (!_breakers.TryGetValue(breaker.Name, out var shared) || !ReferenceEquals(shared.Breaker, breaker) ||
            !_breakers.TryRemove(new KeyValuePair<string, SharedBreaker>(breaker.Name, shared)))
        {
            return false;
        }

        Untrack(shared);
        return true;
    }

    /// <summary>Picks up new registry breakers (when the registry's size changed, else every second); every second,
    /// drops evicted ones.</summary>
    public void Discover()
    {
        // Copying the registry's breakers at every step cost 10,000 idle breakers a large allocation ten times a second:
        // look only when its size changed, or at the membership check (a breaker removed and another added in between
        // is picked up then, or at its first state change, which tracks it at once).
        long now = context.Clock.NowMs;
        int size = registry.Count;
        bool membershipDue = now >= _nextMembershipCheck;
        if (size == _registrySizeSeen && !membershipDue)
        {
            return;
        }

        _registrySizeSeen = size;
        foreach (var breaker in registry.Breakers)
        {
            if (!_breakers.ContainsKey(breaker.Name))
            {
                Track(breaker, fromRegistry: true);
            }
        }

        if (!membershipDue)
        {
            return;
        }

        _nextMembershipCheck = now + MembershipCheckMs;
        foreach (var shared in _breakers.Values)
        {
            if (shared.FromRegistry && (!registry.TryGet(shared.Name, out var current) || !ReferenceEquals(current, shared.Breaker)) &&
                _breakers.TryRemove(new KeyValuePair<string, SharedBreaker>(shared.Name, shared)))
            {
                Untrack(shared); // evicted or removed from the registry
            }
        }
    }

    /// <summary>How often evicted registry breakers are looked for (every breaker is visited: not at every tick).</summary>
    private const long MembershipCheckMs = 1_000;

    public SharedBreakerStatus Status(SharedBreaker s)
    {
        lock (s.Gate)
        {
            var view = s.View;
            bool adopted = s.LocalGenerationAtSync >= 0 && s.Breaker.Generation == s.LocalGenerationAtSync;
            return new SharedBreakerStatus
            {
                Name = s.Name,
                Mode = s.Mode,
                LocalState = s.Breaker.GetRecordedState(),
                Scope = adopted && view is not null && s.Mode != SharingMode.Local ? StateScope.Cluster : StateScope.Local,
                LocalFallback = (!link.Available || s.Faulted) && s.Mode != SharingMode.Local,
                ClusterState = view?.State,
                ClusterGeneration = view?.Generation,
                ClusterDescription = view?.Description,
                DecidedBy = view is { DecidedBy.Length: > 0 } ? view.DecidedBy : null,
                LastSyncedAt = s.LastSyncedAt,
            };
        }
    }

    public IReadOnlyList<SharedBreakerStatus> Report() =>
        _breakers.Keys.Order(StringComparer.Ordinal).Select(n => _breakers.TryGetValue(n, out var s) ? Status(s) : null)
            .OfType<SharedBreakerStatus>().ToArray();

    private SharedBreaker Track(CircuitBreaker breaker, bool fromRegistry)
    {
        var options = context.Options;
        var mode = options.ModeFor?.Invoke(breaker.Name) ?? options.Mode;
        var shared = _breakers.GetOrAdd(breaker.Name, _ => new SharedBreaker(breaker, mode, options.KeyPrefix, fromRegistry));
        Interlocked.Increment(ref _version);
        if (ReferenceEquals(shared.Breaker, breaker) && Interlocked.Exchange(ref shared.Hooked, 1) == 0)
        {
            breaker.SetCoordination(() => Status(shared).ToCoordination(link.UnavailableSince, link.UnavailableReason));
            if (mode != SharingMode.Local)
            {
                breaker.SetReplicaStatusReader(ct => replicas.ReadAsync(shared, ct));
                replicas.MarkChanged(shared);
            }

            breaker.ManualControl += OnManualControl;
        }

        queue.Wake();
        return shared;
    }

    private void Untrack(SharedBreaker shared)
    {
        Interlocked.Increment(ref _version);
        if (!shared.FromRegistry)
        {
            shared.Breaker.StateChanged -= OnStateChanged;
        }

        shared.Breaker.SetCoordination(null);
        shared.Breaker.SetReplicaStatusReader(null);
        replicas.Forget(shared);
        shared.Breaker.ManualControl -= OnManualControl;
        lock (shared.Gate)
        {
            shared.Detached = true;
            adopter.Release(shared, "no longer shared");
        }
    }

    private void OnStateChanged(object? sender, BreakerStateChangedEventArgs e)
    {
        // Runs on the caller's thread inside the breaker's transition: only enqueue.
        if (sender is not CircuitBreaker breaker)
        {
            return;
        }

        if (_breakers.TryGetValue(breaker.Name, out var known) && ReferenceEquals(known.Breaker, breaker))
        {
            replicas.MarkChanged(known); // adopted changes too: the replica's own status is written at the next tick
        }

        if (e.Reason == TransitionReason.External)
        {
            return;
        }

        if (!_breakers.TryGetValue(breaker.Name, out var shared))
        {
            if (!registry.TryGet(breaker.Name, out var inRegistry) || !ReferenceEquals(inRegistry, breaker))
            {
                return;
            }

            shared = Track(breaker, fromRegistry: true);
        }

        if (ReferenceEquals(shared.Breaker, breaker) && shared.Mode != SharingMode.Local)
        {
            queue.EnqueueChange(shared, e);
        }
    }

    /// <summary>An operator's command that found this replica already in the requested state (a reset of a closed
    /// breaker, say, while another replica tripped on its own) changed nothing here and so raised no state change;
    /// it is still meant for every replica, so it is published like <see cref="RedisStateCoordinator.ResetAsync"/>.
    /// Not when it is this coordinator applying a command locally (<see cref="ChangeQueue.IsApplyingCommand"/>).</summary>
    private void OnManualControl(object? sender, ManualControlEventArgs e)
    {
        if (!e.StateChanged && !_stopping && _breakers.TryGetValue(e.BreakerName, out var shared)
            && ReferenceEquals(shared.Breaker, sender) && shared.Mode != SharingMode.Local && !ChangeQueue.IsApplyingCommand(shared))
        {
            queue.EnqueueCommand(shared, e.Target, e.Description, done: null);
        }
    }
}
