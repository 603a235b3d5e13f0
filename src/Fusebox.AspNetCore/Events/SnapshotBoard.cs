using System.Text;
using System.Text.Json;

namespace Fusebox.AspNetCore;

/// <summary>
/// The breakers' views as the event stream sends them, shared by every connection of one <c>MapFusebox</c>: refreshed
/// at most once per half <c>SnapshotInterval</c> however many clients listen (one pass over the breakers, each
/// written to JSON once), and kept as numbered deltas, each holding only the breakers whose JSON changed. A
/// connection remembers the last version it sent and on each tick sends only the deltas after it, so its cost per
/// tick is proportional to what changed, not to the number of breakers (2,019 breakers and 200 listeners once cost
/// 1.4 GiB when every listener serialized every breaker every second).
/// </summary>
internal sealed class SnapshotBoard(CircuitBreakerRegistry registry, TimeProvider timeProvider, TimeSpan interval)
{
    /// <summary>The JSON of <see cref="Groups"/> when the registry has no group.</summary>
    internal const string NoGroups = "[]";

    /// <summary>Deltas kept for connections that fell behind; one further behind gets a full snapshot instead.</summary>
    internal const int KeptDeltas = 8;

    private readonly Lock _gate = new();
    private readonly Queue<Delta> _deltas = new();
    private Dictionary<string, string> _json = new(StringComparer.Ordinal);
    private long _version;
    private long? _refreshedAt;
    private string? _full;
    private string _groups = NoGroups;

    /// <summary>The breakers that changed in one refresh, as a JSON array ordered by name.</summary>
    public readonly record struct Delta(long Version, string Json);

    /// <summary>For tests: how many passes over the breakers were made.</summary>
    internal int Refreshes { get; private set; }

    /// <summary>Every breaker (a JSON array ordered by name) and the version it shows.</summary>
    public (long Version, string Json) Full()
    {
        lock (_gate)
        {
            RefreshIfDue();
            // The full snapshot carries each breaker's transition history, which the deltas leave out; it is written
            // once per version, for the first connection that needs it.
            _full ??= JsonArray(registry.Breakers.OrderBy(b => b.Name, StringComparer.Ordinal)
                .Select(b => JsonSerializer.Serialize(BreakerView.From(b, withTransitions: true), FuseboxJsonContext.Default.BreakerView)));
            return (_version, _full);
        }
    }

    /// <summary>Every breaker group of the registry (<see cref="BreakerGroupView"/>, a JSON array ordered by name), as of
    /// the last refresh. Sent whole: groups are few, and a connection compares it with what it sent last.</summary>
    public string Groups()
    {
        lock (_gate)
        {
            RefreshIfDue();
            return _groups;
        }
    }

    /// <summary>Adds to <paramref name="deltas"/> those after <paramref name="version"/>, oldest first; false when
    /// some were already dropped (the caller sends <see cref="Full"/> instead).</summary>
    public bool TryGetChangesSince(long version, List<Delta> deltas)
    {
        lock (_gate)
        {
            RefreshIfDue();
            if (version == _version)
            {
                return true;
            }

            if (_deltas.Count == 0 || _deltas.Peek().Version > version + 1)
            {
                return false;
            }

            deltas.AddRange(_deltas.Where(d => d.Version > version));
            return true;
        }
    }

    private void RefreshIfDue()
    {
        long now = timeProvider.GetTimestamp();
        if (_refreshedAt is { } last && timeProvider.GetElapsedTime(last, now) < interval / 2)
        {
            return;
        }

        bool first = _refreshedAt is null;
        _refreshedAt = now;
        Refreshes++;
        _groups = JsonSerializer.Serialize(BreakerGroupView.ListOf(registry), FuseboxJsonContext.Default.BreakerGroupViewArray);
        var json = new Dictionary<string, string>(_json.Count, StringComparer.Ordinal);
        var changed = new List<(string Name, string Json)>();
        foreach (var breaker in registry.Breakers)
        {
            // Without the history: a transition changes the generation anyway, and a busy breaker, in every delta,
            // would otherwise send its 32 transitions every tick.
            string view = JsonSerializer.Serialize(BreakerView.From(breaker, withTransitions: false), FuseboxJsonContext.Default.BreakerView);
            json[breaker.Name] = view;
            if (!_json.TryGetValue(breaker.Name, out string? before) || !string.Equals(before, view, StringComparison.Ordinal))
            {
                changed.Add((breaker.Name, view));
            }
        }

        // A breaker removed from the registry is in no delta: it stops changing, and a client that connects later
        // does not see it.
        _json = json;
        if (changed.Count == 0)
        {
            return;
        }

        _version++;
        _full = null;
        if (!first)
        {
            _deltas.Enqueue(new Delta(_version, JsonArray(changed.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Json))));
            if (_deltas.Count > KeptDeltas)
            {
                _deltas.Dequeue();
            }
        }
    }

    private static string JsonArray(IEnumerable<string> items)
    {
        var builder = new StringBuilder("[");
        foreach (string item in items)
        {
            builder.Append(builder.Length == 1 ? "" : ",").Append(item);
        }

        return builder.Append(']').ToString();
    }
}
