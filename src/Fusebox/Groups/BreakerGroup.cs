using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Fusebox.Internal;

namespace Fusebox;

/// <summary>
/// A group of member breakers for the peers of one client (one per endpoint or authority), created on demand by key,
/// that answers "is it the host or me?". Besides each member's own trip policy the group ejects a member whose success
/// rate is far below its peers' (an outlier), never lets more than <see cref="BreakerGroupOptions.MaxOpenPercent"/> of
/// its members be open because of their own failures (a trip beyond the cap is reported as "would have opened" and
/// the member stays closed), and panics — no member rejects — while fewer than
/// <see cref="BreakerGroupOptions.PanicThresholdPercent"/> of its members are healthy, because then the fault is
/// more likely the caller's than every host's.
/// </summary>
/// <remarks>
/// A call through a member costs what a call through a plain breaker costs: the group reads the members' own counters
/// on its evaluation interval (O(members) per interval, on the group's <see cref="TimeProvider"/>), and the members
/// consult the group only when they are about to open and while they are open. Dispose the group to stop its timer.
/// </remarks>
public sealed partial class BreakerGroup : IDisposable
{
    private readonly BreakerGroupOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly BreakerClock _clock;
    private readonly FuseboxMetrics _metrics;
    private readonly CircuitBreakerRegistry? _registry;
    private readonly ConcurrentDictionary<string, GroupSeat> _seats = new(StringComparer.Ordinal);
    private readonly Lock _addGate = new(); // serialises member creation; never taken by a call
    private readonly ITimer _timer;
    private GroupSeat[] _members = []; // copy-on-write, for the evaluation and the cap's member count

    /// <summary>Creates a group whose members are standalone breakers.</summary>
    /// <param name="name">The group's name; members are named <c>{name}/{key}</c>. Not empty.</param>
    /// <param name="options">The options (copied and validated now); null for the defaults.</param>
    /// <param name="timeProvider">The clock of the group and its members; default the member options' clock, else the system clock.</param>
    /// <param name="metrics">Where the group and its members report metrics; default <see cref="FuseboxMetrics.Shared"/>.</param>
    /// <exception cref="ArgumentException">The name is empty, or an option is out of range.</exception>
    public BreakerGroup(string name, BreakerGroupOptions? options = null, TimeProvider? timeProvider = null, FuseboxMetrics? metrics = null)
        : this(name, options, timeProvider, metrics, null)
    {
    }

    /// <summary>Creates a group whose members are created in <paramref name="registry"/> (so they appear in its report
    /// and dashboard), on the registry's clock and metrics. The group is listed in <see cref="CircuitBreakerRegistry.Groups"/>
    /// (and so on the admin API and dashboard) until it is disposed.</summary>
    /// <param name="name">The group's name; members are named <c>{name}/{key}</c> in the registry. Not empty.</param>
    /// <param name="registry">Where members are created.</param>
    /// <param name="options">The options (copied and validated now); null for the defaults.</param>
    /// <exception cref="ArgumentException">The name is empty, or an option is out of range.</exception>
    public BreakerGroup(string name, CircuitBreakerRegistry registry, BreakerGroupOptions? options = null)
        : this(name, options, (registry ?? throw new ArgumentNullException(nameof(registry))).TimeProvider, registry.Metrics, registry)
    {
    }

    private BreakerGroup(string name, BreakerGroupOptions? options, TimeProvider? timeProvider, FuseboxMetrics? metrics, CircuitBreakerRegistry? registry)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var validated = options?.Clone() ?? new BreakerGroupOptions();
        validated.Validate();
        Name = name;
        _options = validated;
        _timeProvider = timeProvider ?? validated.MemberOptions.TimeProvider ?? TimeProvider.System;
        _clock = new BreakerClock(_timeProvider);
        _metrics = metrics ?? FuseboxMetrics.Shared;
        _registry = registry;
        Instruments = GroupMetrics.For(_metrics.Meter);
        Instruments.Track(this);
        _timer = _timeProvider.CreateTimer(static group => ((BreakerGroup)group!).RequestEvaluation(IntervalWork | HealthWork),
            this, validated.EvaluationInterval, validated.EvaluationInterval);
        registry?.AttachGroup(this);
    }

    /// <summary>Raised for every decision the group reports: an outlier ejected, an opening refused by the cap
    /// ("would have opened"), panic entered or left. A throwing subscriber is ignored.</summary>
    public event EventHandler<BreakerGroupEventArgs>? Reported;

    /// <summary>The group's name (the <c>fusebox.group</c> tag of its metrics).</summary>
    public string Name { get; }

    /// <summary>A copy of the options the group runs with.</summary>
    public BreakerGroupOptions Options => _options.Clone();

    /// <summary>The clock the group evaluates on and its members read.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>How many members the group has.</summary>
    public int Count => Volatile.Read(ref _members).Length;

    /// <summary>The most members that may be open at once because of their own failures: <see cref="BreakerGroupOptions.MaxOpenPercent"/>
    /// of <see cref="Count"/>, rounded down, and at least one.</summary>
    public int MaxOpen => MaxOpenFor(Count);

    /// <summary>How many open slots members hold now (open or half-open because of their own failures or as outliers).</summary>
    public int OpenCount => Volatile.Read(ref _openSlots);

    /// <summary>True while the group panics: its open and half-open members admit every call.</summary>
    public bool IsPanicking => _panicking;

    internal GroupMetrics Instruments { get; }

    /// <summary>Returns the member for <paramref name="key"/>, creating it (with <see cref="BreakerGroupOptions.MemberOptions"/>) if needed.</summary>
    /// <param name="key">The endpoint or authority, e.g. <c>"10.0.0.7:443"</c>. Not empty.</param>
    /// <exception cref="InvalidOperationException">With a registry: a breaker of the member's name already exists there
    /// outside this group, or the registry is full.</exception>
    public CircuitBreaker GetOrAdd(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return _seats.TryGetValue(key, out var seat) ? seat.Breaker : Add(key);
    }

    /// <summary>Finds an existing member without creating one.</summary>
    public bool TryGet(string key, [NotNullWhen(true)] out CircuitBreaker? member)
    {
        ArgumentNullException.ThrowIfNull(key);
        member = _seats.TryGetValue(key, out var seat) ? seat.Breaker : null;
        return member is not null;
    }

    /// <summary>Every member, in the order they were added.</summary>
    public IReadOnlyList<CircuitBreaker> Members => Array.ConvertAll(Volatile.Read(ref _members), static seat => seat.Breaker);

    /// <summary>Stops the evaluation timer and the group's gauge, and takes the group off its registry's
    /// <see cref="CircuitBreakerRegistry.Groups"/>. The members keep working as plain breakers, except that the slots
    /// and panic state they last saw stay as they were.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Instruments.Untrack(this);
        _registry?.DetachGroup(this);
    }

    /// <inheritdoc/>
    public override string ToString() => $"BreakerGroup({Name}, {Count} members, {OpenCount}/{MaxOpen} open{(IsPanicking ? ", panicking" : "")})";

    private int MaxOpenFor(int members) => Math.Max(1, (int)(members * _options.MaxOpenPercent / 100));

    private CircuitBreaker Add(string key)
    {
        lock (_addGate)
        {
            if (_seats.TryGetValue(key, out var existing))
            {
                return existing.Breaker;
            }

            var seat = new GroupSeat(this, key);
            string memberName = $"{Name}/{key}";
            var breaker = _registry is null
                ? new CircuitBreaker(memberName, _options.MemberOptions, _timeProvider, _metrics)
                : NewRegistryMember(memberName);
            breaker.JoinGroup(seat); // before anyone else can see the seat: a member never trips outside its group
            seat.Breaker = breaker;
            breaker.StateChanged += (_, e) => OnMemberStateChanged(seat, e);
            Volatile.Write(ref _members, [.. _members, seat]);
            _seats[key] = seat;
            return breaker;
        }
    }

    private CircuitBreaker NewRegistryMember(string memberName)
    {
        if (_registry!.TryGet(memberName, out _))
        {
            throw new InvalidOperationException($"The registry already has a breaker named '{memberName}' outside the group '{Name}'.");
        }

        return _registry.GetOrAdd(memberName, _options.MemberOptions);
    }

    /// <summary>The group's monotonic time in <see cref="TimeSpan"/> ticks, read as the members read theirs.</summary>
    private long Now() => _clock.Now();

    private void Raise(BreakerGroupEventArgs args)
    {
        if (Reported is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((EventHandler<BreakerGroupEventArgs>)handler)(this, args);
            }
#pragma warning disable CA1031 // an observer's bug must not break the group or starve the other observers
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
