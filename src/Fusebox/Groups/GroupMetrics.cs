using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Fusebox;

/// <summary>
/// The <see cref="BreakerGroup"/> instruments on the <c>Fusebox</c> meter, tagged <c>fusebox.group</c> (and
/// <c>fusebox.breaker</c> for a member's decisions): one set per meter, however many groups report to it. Each
/// recording checks <see cref="Instrument.Enabled"/> first.
/// </summary>
internal sealed class GroupMetrics
{
    /// <summary>The tag that names the group.</summary>
    internal const string GroupTag = "fusebox.group";

    private static readonly ConditionalWeakTable<Meter, GroupMetrics> s_byMeter = new();

    private readonly Counter<long> _ejections;
    private readonly Counter<long> _wouldHaveOpened;
    private readonly Counter<long> _panics;
    private readonly ConditionalWeakTable<BreakerGroup, object?> _groups = new();

    private GroupMetrics(Meter meter)
    {
        _ejections = meter.CreateCounter<long>("fusebox.group.ejections", "{ejection}", "Members a breaker group opened as outliers.");
        _wouldHaveOpened = meter.CreateCounter<long>("fusebox.group.would_have_opened", "{opening}",
            "Member openings a breaker group's cap refused, tagged fusebox.cause = trip or outlier.");
        _panics = meter.CreateCounter<long>("fusebox.group.panic_transitions", "{transition}",
            "Breaker groups entering or leaving panic, tagged fusebox.panic = entered or exited.");
        meter.CreateObservableGauge("fusebox.group.panic", ObservePanic, "{group}", "1 while the breaker group panics (no member rejects), else 0.");
    }

    internal static GroupMetrics For(Meter meter) => s_byMeter.GetValue(meter, static m => new GroupMetrics(m));

    internal void Track(BreakerGroup group) => _groups.AddOrUpdate(group, null);

    internal void Untrack(BreakerGroup group) => _groups.Remove(group);

    internal void Ejected(string group, string member)
    {
        if (_ejections.Enabled)
        {
            _ejections.Add(1, new(GroupTag, group), new(FuseboxMetrics.BreakerTag, member));
        }
    }

    internal void WouldHaveOpened(string group, string member, bool outlier)
    {
        if (_wouldHaveOpened.Enabled)
        {
            _wouldHaveOpened.Add(1, new(GroupTag, group), new(FuseboxMetrics.BreakerTag, member), new("fusebox.cause", outlier ? "outlier" : "trip"));
        }
    }

    internal void PanicChanged(string group, bool entered)
    {
        if (_panics.Enabled)
        {
            _panics.Add(1, new(GroupTag, group), new("fusebox.panic", entered ? "entered" : "exited"));
        }
    }

    private IEnumerable<Measurement<int>> ObservePanic()
    {
        foreach (var (group, _) in _groups)
        {
            yield return new Measurement<int>(group.IsPanicking ? 1 : 0, new KeyValuePair<string, object?>(GroupTag, group.Name));
        }
    }
}
