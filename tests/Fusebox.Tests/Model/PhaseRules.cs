namespace Fusebox.Tests.Model;

/// <summary>A state as seen at a quiescent point, with an open one split by whether its break is already over.</summary>
internal enum PhaseNode { Closed, OpenInBreak, OpenBreakOver, HalfOpen, Isolated, Disabled }

/// <summary>What happened between two quiescent points, as the threads observed it (merged at the barrier).</summary>
internal sealed class PhaseFacts
{
    public bool AnyAttempt { get; set; }

    public bool AnySuccess { get; set; }

    public bool AnyFailure { get; set; }

    /// <summary>A call admitted before the clock last moved reported: only such a call can be slow.</summary>
    public bool AnyTimedReport { get; set; }

    public List<BreakerState> Commands { get; } = [];

    public void Merge(PhaseFacts other)
    {
        AnyAttempt |= other.AnyAttempt;
        AnySuccess |= other.AnySuccess;
        AnyFailure |= other.AnyFailure;
        AnyTimedReport |= other.AnyTimedReport;
        Commands.AddRange(other.Commands);
    }
}

/// <summary>
/// The model's transition rules as a reachability question: which states can a breaker be in at the end of a phase,
/// given its state at the start and what the phase's calls did? The clock stands still during a phase, so a break that
/// starts in it cannot end in it: closed cannot become half-open without an operator, and half-open needs the break
/// that was already over at the start. Every manual command that ran is applied exactly once, in any order, with any
/// number of call-driven transitions between them.
/// </summary>
internal static class PhaseRules
{
    public static PhaseNode NodeOf(BreakerState recorded, BreakerState effective) => recorded switch
    {
        BreakerState.Closed => PhaseNode.Closed,
        BreakerState.Open => effective == BreakerState.HalfOpen ? PhaseNode.OpenBreakOver : PhaseNode.OpenInBreak,
        BreakerState.HalfOpen => PhaseNode.HalfOpen,
        BreakerState.Isolated => PhaseNode.Isolated,
        _ => PhaseNode.Disabled,
    };

    public static HashSet<PhaseNode> Reachable(PhaseNode start, PhaseFacts facts)
    {
        var ends = new HashSet<PhaseNode>();
        var seen = new HashSet<(PhaseNode, string)>();
        Explore(start, facts.Commands, facts, ends, seen);
        return ends;
    }

    private static void Explore(PhaseNode node, List<BreakerState> commands, PhaseFacts facts, HashSet<PhaseNode> ends, HashSet<(PhaseNode, string)> seen)
    {
        if (!seen.Add((node, string.Join(",", commands.Order()))))
        {
            return;
        }

        if (commands.Count == 0)
        {
            ends.Add(node);
        }

        foreach (var next in CallDriven(node, facts))
        {
            Explore(next, commands, facts, ends, seen);
        }

        for (int i = 0; i < commands.Count; i++)
        {
            var rest = new List<BreakerState>(commands);
            rest.RemoveAt(i);
            Explore(Apply(node, commands[i]), rest, facts, ends, seen);
        }
    }

    private static IEnumerable<PhaseNode> CallDriven(PhaseNode node, PhaseFacts facts)
    {
        switch (node)
        {
            case PhaseNode.Closed when facts.AnyFailure || facts.AnyTimedReport:
                yield return PhaseNode.OpenInBreak; // trip
                break;
            case PhaseNode.OpenBreakOver when facts.AnyAttempt:
                yield return PhaseNode.HalfOpen; // the first call after the break
                break;
            case PhaseNode.HalfOpen:
                if (facts.AnyFailure)
                {
                    yield return PhaseNode.OpenInBreak; // a probe failed: a new break, which cannot end this phase
                }

                if (facts.AnySuccess)
                {
                    yield return PhaseNode.Closed; // enough probes succeeded
                }

                break;
        }
    }

    private static PhaseNode Apply(PhaseNode node, BreakerState command) => command switch
    {
        BreakerState.Closed => PhaseNode.Closed,
        BreakerState.Isolated => PhaseNode.Isolated,
        _ => node == PhaseNode.Isolated ? PhaseNode.Isolated : PhaseNode.Disabled, // isolation ends only with a reset
    };
}
