namespace Fusebox.Tests.Model;

/// <summary>
/// What threads know about one call's generation. A permit says it exactly. Another style learns it by reading the
/// generation before the call and, in the operation, the recorded state and the generation again: equal readings
/// bracket the admission, so the call was admitted in that generation (a probe when that state was half-open).
/// Otherwise it lies somewhere in [<see cref="Low"/>, <see cref="High"/>].
/// </summary>
internal readonly record struct CallGeneration(long Low, long High, bool Probe)
{
    public bool Known => Low == High;
}

/// <summary>
/// The history of one thread's calls between two quiescent points, and (merged at the barrier) of all calls so far.
/// Each report is sorted by what the thread can be sure of: <em>counted</em> (reported while the breaker was still in
/// the call's generation: it must count as a success or failure), <em>late</em> (the breaker had moved on before the
/// report: it must count as ignored), or neither.
/// </summary>
internal sealed class CallLedger
{
    private readonly Dictionary<long, int> _probes = [];
    private readonly List<CallGeneration> _probeReleases = [];

    public long Rejections { get; private set; }

    public long Reports { get; private set; }

    public long SuccessOutcomes { get; private set; }

    public long FailureOutcomes { get; private set; }

    public long IgnoredOutcomes { get; private set; }

    public long CountedSuccesses { get; private set; }

    public long CountedFailures { get; private set; }

    public long LateSuccesses { get; private set; }

    public long LateFailures { get; private set; }

    public long TimedReports { get; private set; }

    public PhaseFacts Facts { get; private set; } = new();

    public IReadOnlyDictionary<long, int> ProbesByGeneration => _probes;

    public void Rejected()
    {
        Facts.AnyAttempt = true;
        Rejections++;
    }

    public void Admitted(CallGeneration generation)
    {
        Facts.AnyAttempt = true;
        if (generation is { Known: true, Probe: true })
        {
            _probes[generation.Low] = _probes.GetValueOrDefault(generation.Low) + 1;
        }
    }

    /// <param name="verdict">How the call ended.</param>
    /// <param name="generation">The call's admission generation.</param>
    /// <param name="before">The generation read just before the report.</param>
    /// <param name="after">The generation read just after it.</param>
    /// <param name="spannedClockMove">The clock moved between admission and report.</param>
    public void Reported(Verdict verdict, CallGeneration generation, long before, long after, bool spannedClockMove)
    {
        Reports++;
        TimedReports += spannedClockMove ? 1 : 0;
        Facts.AnyTimedReport |= spannedClockMove;
        bool late = generation.Known && before > generation.Low;
        bool counted = generation.Known && after == generation.Low;
        switch (verdict)
        {
            case Verdict.Success:
                SuccessOutcomes++;
                Facts.AnySuccess = true;
                CountedSuccesses += counted ? 1 : 0;
                LateSuccesses += late ? 1 : 0;
                break;
            case Verdict.Failure:
                FailureOutcomes++;
                Facts.AnyFailure = true;
                CountedFailures += counted ? 1 : 0;
                LateFailures += late ? 1 : 0;
                break;
            default:
                IgnoredOutcomes++;
                if (generation.Probe || !generation.Known)
                {
                    _probeReleases.Add(generation); // may have given a probe slot back
                }

                break;
        }
    }

    public void Command(BreakerState target) => Facts.Commands.Add(target);

    /// <summary>Releases that could have freed a slot of generation <paramref name="generation"/>'s round.</summary>
    public int PossibleReleases(long generation) => _probeReleases.Count(g => g.Low <= generation && generation <= g.High);

    /// <summary>Adds a thread's phase to the totals; returns that phase's facts and starts a new phase for the thread.</summary>
    public void Absorb(CallLedger phase, PhaseFacts into)
    {
        Rejections += phase.Rejections;
        Reports += phase.Reports;
        SuccessOutcomes += phase.SuccessOutcomes;
        FailureOutcomes += phase.FailureOutcomes;
        IgnoredOutcomes += phase.IgnoredOutcomes;
        CountedSuccesses += phase.CountedSuccesses;
        CountedFailures += phase.CountedFailures;
        LateSuccesses += phase.LateSuccesses;
        LateFailures += phase.LateFailures;
        TimedReports += phase.TimedReports;
        foreach (var (generation, count) in phase._probes)
        {
            _probes[generation] = _probes.GetValueOrDefault(generation) + count;
        }

        _probeReleases.AddRange(phase._probeReleases);
        into.Merge(phase.Facts);
        phase.Clear();
    }

    private void Clear()
    {
        Rejections = Reports = SuccessOutcomes = FailureOutcomes = IgnoredOutcomes = 0;
        CountedSuccesses = CountedFailures = LateSuccesses = LateFailures = TimedReports = 0;
        _probes.Clear();
        _probeReleases.Clear();
        Facts = new PhaseFacts();
    }
}
