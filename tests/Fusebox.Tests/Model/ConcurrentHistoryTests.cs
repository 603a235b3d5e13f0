using Fusebox.Coordination;
using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Model;

/// <summary>
/// Several threads run random calls (every style and outcome, calls left in flight across phases, rare manual
/// commands) against one breaker. At each quiescent point — all threads parked on a <see cref="Barrier"/>, the only
/// place the fake clock moves and Reconfigure runs — the history so far is checked against the model's rules:
/// the counts are conserved (every rejection counted, every admitted call reported exactly once, a report made in
/// its own generation counted, a late one ignored), no half-open round admitted more probes than its permits (plus
/// the releases that gave slots back), the generation only grows and moves exactly with the state changes, and the
/// state is one the model can reach from the previous quiescent state given what the phase's calls did.
/// Every decision is seeded; only the interleaving is left to the scheduler.
/// </summary>
public class ConcurrentHistoryTests
{
    [Fact]
    public void Concurrent_histories_stay_within_the_models_rules()
    {
        int probeRounds = 0, lateReports = 0, isolatedPhases = 0;
        for (int seed = 1; seed <= 10; seed++)
        {
            var history = new ConcurrentHistory(seed);
            history.Run();
            probeRounds += history.ProbeRounds;
            lateReports += history.LateReports;
            isolatedPhases += history.EndsIn(PhaseNode.Isolated);
        }

        // The histories reached what the checks are about (else they would pass by exercising nothing).
        Assert.True(probeRounds > 0 && lateReports > 0 && isolatedPhases > 0,
            $"probe rounds {probeRounds}, late reports {lateReports}, isolated phases {isolatedPhases}");
    }

    private sealed class ConcurrentHistory
    {
        private const int Threads = 3;
        private const int Phases = 30;
        private const int OpsPerPhase = 24;

        private readonly int _seed;
        private readonly Random _coordinator;
        private readonly FakeTimeProvider _time = new();
        private readonly CircuitBreaker _breaker;
        private readonly CallLedger[] _phaseLedgers = [.. Enumerable.Range(0, Threads).Select(_ => new CallLedger())];
        private readonly CallLedger _history = new();
        private readonly List<(long StartGeneration, long EndGeneration, ModelSettings Settings)> _phases = [];
        private ModelSettings _settings;
        private long _generation;
        private long _stateChanges;
        private PhaseNode _start = PhaseNode.Closed;
        private Exception? _failure;
        private int _phase;
        private readonly List<PhaseNode> _ends = [];

        public ConcurrentHistory(int seed)
        {
            _seed = seed;
            _coordinator = new Random(seed);
            _settings = Pick();
            _breaker = TestBreakers.Create(_time, _settings.ToOptions());
            var jitter = new Random(seed);
            _breaker.JitterSource = () => { lock (jitter) { return jitter.NextDouble(); } };
        }

        public int ProbeRounds => _history.ProbesByGeneration.Count;

        public int LateReports => (int)(_history.LateSuccesses + _history.LateFailures);

        public int EndsIn(PhaseNode node) => _ends.Count(e => e == node);

        public void Run()
        {
            using var barrier = new Barrier(Threads, _ => CheckAndAdvance());
            var threads = Enumerable.Range(0, Threads).Select(id => new Thread(() => Work(id, barrier))).ToArray();
            foreach (var t in threads)
            {
                t.Start();
            }

            foreach (var t in threads)
            {
                t.Join();
            }

            if (_failure is not null)
            {
                throw new InvalidOperationException($"seed {_seed}, {_failure.Message}", _failure);
            }
        }

        /// <summary>The long probe timeout keeps slots from being reclaimed, so every probe's slot is accounted for.</summary>
        private ModelSettings Pick() => ModelSettings.All[_coordinator.Next(ModelSettings.All.Length)] with { ProbeTimeout = TimeSpan.FromDays(1) };

        private void Work(int id, Barrier barrier)
        {
            var random = new Random((_seed * 97) + id);
            var ledger = _phaseLedgers[id];
            var inFlight = new List<(RealCall Call, CallGeneration Generation, int Phase)>();
            for (int phase = 0; phase < Phases; phase++)
            {
                for (int op = 0; op < OpsPerPhase; op++)
                {
                    int r = random.Next(1000);
                    if (r < 450)
                    {
                        var style = (CallStyle)(r % 5);
                        Call(ledger, style, inside => RealCall.Run(_breaker, _time, style, RealCall.PickOutcome(style, random.Next()), TimeSpan.Zero, r % 2 == 0, inside));
                    }
                    else if (r < 700 && inFlight.Count < 4)
                    {
                        var style = (r % 3) switch { 0 => CallStyle.ExecuteAsync, 1 => CallStyle.TryExecuteAsync, _ => CallStyle.Permit };
                        var (call, generation) = Call(ledger, style, inside => RealCall.Start(_breaker, style, inside), finish: false);
                        if (call.Admission.Admitted)
                        {
                            inFlight.Add((call, generation, phase));
                        }
                    }
                    else if (r < 993 && inFlight.Count > 0)
                    {
                        Finish(ledger, inFlight, random.Next(inFlight.Count), random.Next(), phase);
                    }
                    else if (r >= 993)
                    {
                        // Rare, and mostly resets: an isolated or disabled breaker would otherwise leave little to check.
                        var target = (r - 993) switch { < 4 => BreakerState.Closed, < 6 => BreakerState.Disabled, _ => BreakerState.Isolated };
                        ledger.Command(target);
                        switch (target)
                        {
                            case BreakerState.Closed: _breaker.Reset(); break;
                            case BreakerState.Isolated: _breaker.Isolate(); break;
                            default: _breaker.Disable(); break;
                        }
                    }
                }

                while (phase == Phases - 1 && inFlight.Count > 0)
                {
                    Finish(ledger, inFlight, 0, random.Next(), phase); // the last quiescent point sees every call reported
                }

                barrier.SignalAndWait();
            }
        }

        /// <summary>Makes one call, learning its generation (see <see cref="CallGeneration"/>) and, when it ended, logging its report.</summary>
        private (RealCall Call, CallGeneration Generation) Call(CallLedger ledger, CallStyle style, Func<Action, RealCall> make, bool finish = true)
        {
            long before = _breaker.Generation;
            long inside = long.MaxValue;
            var insideState = BreakerState.Closed;
            var call = make(() =>
            {
                insideState = _breaker.GetRecordedState();
                inside = _breaker.Generation;
            });
            long after = _breaker.Generation;
            if (!call.Admission.Admitted)
            {
                ledger.Rejected();
                return (call, default);
            }

            var generation = style == CallStyle.Permit
                ? new CallGeneration(call.Permit.Generation, call.Permit.Generation, call.Permit.IsProbe)
                : new CallGeneration(before, Math.Min(inside, after), before == inside && insideState == BreakerState.HalfOpen);
            ledger.Admitted(generation);
            if (finish)
            {
                ledger.Reported(call.LastVerdict, generation, before: generation.High, after, spannedClockMove: false);
            }

            return (call, generation);
        }

        private void Finish(CallLedger ledger, List<(RealCall Call, CallGeneration Generation, int Phase)> inFlight, int index, int pick, int phase)
        {
            var (call, generation, startedIn) = inFlight[index];
            inFlight.RemoveAt(index);
            var outcome = RealCall.PickOutcome(call.Style, pick);
            long before = _breaker.Generation;
            call.Finish(outcome);
            ledger.Reported(RealCall.VerdictOf(outcome), generation, before, _breaker.Generation, spannedClockMove: startedIn < phase);
        }

        /// <summary>Runs alone while every thread waits on the barrier: checks the history, then moves the clock and maybe the options.</summary>
        private void CheckAndAdvance()
        {
            try
            {
                var facts = new PhaseFacts();
                foreach (var phase in _phaseLedgers)
                {
                    _history.Absorb(phase, facts);
                }

                Check(facts);
                if (_coordinator.Next(5) == 0)
                {
                    _settings = Pick();
                    _breaker.Reconfigure(_settings.ToOptions());
                }

                _time.Advance(TimeSpan.FromMilliseconds(_coordinator.Next(40_000)));
                _start = PhaseRules.NodeOf(_breaker.GetRecordedState(), _breaker.State);
            }
#pragma warning disable CA1031 // reported after the threads are joined; a throw here would break the barrier for all
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure ??= new InvalidOperationException($"at the quiescent point after phase {_phase}: {ex.Message}", ex);
            }

            _phase++;
        }

        private void Check(PhaseFacts facts)
        {
            var s = _breaker.Snapshot();
            var h = _history;

            // Counts are conserved: each rejection counted once, each admitted call reported exactly once.
            Assert.Equal(h.Rejections, s.RejectedCalls);
            Assert.Equal(h.Reports, s.SuccessfulCalls + s.FailedCalls + s.IgnoredCalls);
            // A report made while its generation was current must count; a late one must not.
            Assert.True(s.SuccessfulCalls >= h.CountedSuccesses && s.SuccessfulCalls <= h.SuccessOutcomes - h.LateSuccesses,
                $"{s.SuccessfulCalls} successes: {h.CountedSuccesses} must count, {h.SuccessOutcomes - h.LateSuccesses} may");
            Assert.True(s.FailedCalls >= h.CountedFailures && s.FailedCalls <= h.FailureOutcomes - h.LateFailures,
                $"{s.FailedCalls} failures: {h.CountedFailures} must count, {h.FailureOutcomes - h.LateFailures} may");
            Assert.True(s.IgnoredCalls >= h.IgnoredOutcomes + h.LateSuccesses + h.LateFailures,
                $"ignored {s.IgnoredCalls}, but {h.IgnoredOutcomes} calls were released or cancelled and {h.LateSuccesses + h.LateFailures} reported late");
            Assert.True(s.SlowCalls <= h.TimedReports, $"{s.SlowCalls} slow calls, but only {h.TimedReports} calls took any (fake) time");

            // The generation only grows, and moves exactly when the state changes.
            Assert.True(s.Generation >= _generation, $"generation went back: {_generation} -> {s.Generation}");
            Assert.Equal(s.Generation - _generation, s.StateChanges - _stateChanges);
            _phases.Add((_generation, s.Generation, _settings));
            (_generation, _stateChanges) = (s.Generation, s.StateChanges);

            // The state is one the model reaches from the previous quiescent point with what the phase's calls did.
            var end = PhaseRules.NodeOf(_breaker.GetRecordedState(), s.State);
            var reachable = PhaseRules.Reachable(_start, facts);
            _ends.Add(end);
            Assert.True(reachable.Contains(end),
                $"{_start} -> {end} is not reachable (reachable: {string.Join(", ", reachable)}; commands: {string.Join(", ", facts.Commands)}; " +
                $"attempt {facts.AnyAttempt}, success {facts.AnySuccess}, failure {facts.AnyFailure})");

            // No half-open round admitted more probes than the permits it started with, beyond slots given back.
            foreach (var (generation, probes) in h.ProbesByGeneration)
            {
                var round = _phases.Single(p => p.StartGeneration < generation && generation <= p.EndGeneration);
                Assert.True(probes <= round.Settings.Permits + h.PossibleReleases(generation),
                    $"generation {generation}: {probes} probes admitted, {round.Settings.Permits} permits, {h.PossibleReleases(generation)} possible releases");
            }
        }
    }
}
