using System.Text;
using CsCheck;
using Fusebox.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Tests.Groups;

/// <summary>
/// Drives a real <see cref="BreakerGroup"/> and <see cref="ReferenceGroup"/> with the same random program on a
/// <see cref="FakeTimeProvider"/> and compares every decision: each call's admission (so every cap refusal, ejection
/// and panic shows up as soon as it changes what a call gets), and after every step each member's state, open slot,
/// "would have opened" and ejection counts, the group's open count, healthy count and panic. A program creates members
/// on demand (the cap grows with them), sends bursts of calls whose failure odds differ per member (so some are
/// outliers), storms and recoveries of the whole group (panic), and one-second clock steps (the 4 s evaluation
/// interval falls exactly on a step). CsCheck shrinks a failing program to a minimal one.
/// </summary>
public class GroupModelTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(4);

    public static TheoryData<string> Settings => [.. s_settings.Keys];

    private static readonly Dictionary<string, ReferenceGroup.Settings> s_settings = new()
    {
        ["cap 10%, panic 50%, factor 1.9"] = new(10, 50, 3, TimeSpan.FromSeconds(3).Ticks, 5, 3, 1.9),
        ["cap 34%, panic 50%, factor 1.0"] = new(34, 50, 3, TimeSpan.FromSeconds(3).Ticks, 5, 3, 1.0),
        ["cap 50%, panic 70%, factor 0.5"] = new(50, 70, 2, TimeSpan.FromSeconds(5).Ticks, 4, 2, 0.5),
        ["cap 10%, no panic, factor 1.0"] = new(10, 0, 3, TimeSpan.FromSeconds(3).Ticks, 5, 3, 1.0),
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Group_agrees_with_the_reference_model(string settings)
    {
        var seen = new Coverage();
        Gen.Int[0, int.MaxValue].Array[1, 250].Sample(program => new GroupRun(s_settings[settings], program, seen).Run(), iter: 150, threads: 1);

        // The programs must reach every decision, or agreement would prove little.
        Assert.True(seen.Ejections > 0, "no program ejected an outlier");
        Assert.True(seen.Refusals > 0, "no program had an opening refused by the cap");
        Assert.True(seen.Panics > 0 || s_settings[settings].PanicThresholdPercent == 0, "no program panicked");
        Assert.True(seen.PanicAdmissions > 0 || s_settings[settings].PanicThresholdPercent == 0, "no open member admitted a call in panic");
    }

    private sealed class Coverage
    {
        public int Ejections { get; set; }

        public int Refusals { get; set; }

        public int Panics { get; set; }

        public int PanicAdmissions { get; set; }
    }

    private sealed class GroupRun
    {
        private const int MaxMembers = 6;
        private readonly int[] _program;
        private readonly FakeTimeProvider _time = new();
        private readonly BreakerGroup _group;
        private readonly ReferenceGroup _model;
        private readonly Random _outcomes;
        private readonly double[] _failureOdds = new double[MaxMembers];
        private readonly List<(string Key, ReferenceGroup.Member Model)> _members = [];
        private readonly StringBuilder _trace = new();
        private readonly long _start;

        private readonly Coverage _seen;

        public GroupRun(ReferenceGroup.Settings settings, int[] program, Coverage seen)
        {
            _seen = seen;
            _program = program;
            _start = _time.GetTimestamp();
            _group = new BreakerGroup("g", new BreakerGroupOptions
            {
                MaxOpenPercent = settings.MaxOpenPercent,
                PanicThresholdPercent = settings.PanicThresholdPercent,
                OutlierMinimumCalls = settings.MinimumCalls,
                OutlierMinimumMembers = settings.MinimumMembers,
                OutlierStdevFactor = settings.StdevFactor,
                EvaluationInterval = s_interval,
                MemberOptions = new CircuitBreakerOptions
                {
                    TripPolicy = TripPolicy.ConsecutiveFailures(settings.ConsecutiveFailures),
                    BreakDuration = TimeSpan.FromTicks(settings.BreakTicks),
                    HalfOpenPermits = 1,
                },
            }, _time, new FuseboxMetrics());
            _model = new ReferenceGroup(settings);
            var seeded = new Random(program[0]);
            double[] odds = [0, 0, 0.05, 0.5, 1];
            for (int i = 0; i < MaxMembers; i++)
            {
                _failureOdds[i] = odds[seeded.Next(odds.Length)];
            }

            _outcomes = new Random(seeded.Next());
            _trace.Append(FormattableString.Invariant($"start, failure odds {string.Join(' ', _failureOdds)}\n"));
        }

        private long Now => _time.GetTimestamp() - _start;

        public void Run() => ProgramSteps.Run(_program, first: 1, Step, Compare, _trace);

        private void Step(int op)
        {
            int kind = op % 100;
            int arg = op / 100;
            if (kind < 60)
            {
                int index = arg % MaxMembers;
                int calls = 1 + (arg / MaxMembers % 8);
                Trace($"burst of {calls} on member {index}");
                for (int i = 0; i < calls; i++)
                {
                    Call(index, _outcomes.NextDouble() < _failureOdds[index]);
                }
            }
            else if (kind < 90)
            {
                Trace($"advance 1 s");
                _time.Advance(TimeSpan.FromSeconds(1));
                if (Now % s_interval.Ticks == 0)
                {
                    _model.Evaluate(Now);
                }
            }
            else
            {
                bool fails = kind < 96;
                int calls = 1 + (arg % 5);
                Trace($"{(fails ? "storm" : "recovery")}: {calls} calls on every member");
                for (int i = 0; i < calls; i++)
                {
                    for (int m = 0; m < _members.Count; m++)
                    {
                        Call(m, fails);
                    }
                }
            }
        }

        private void Call(int index, bool fails)
        {
            while (_members.Count <= index)
            {
                string created = $"m{_members.Count}";
                _group.GetOrAdd(created); // members are created in the same order on both sides: the cap grows with them
                _members.Add((created, _model.Add()));
            }

            var (key, model) = _members[index];
            var member = _group.GetOrAdd(key);
            if (_model.Panicking && model.State != ReferenceGroup.State.Closed)
            {
                _seen.PanicAdmissions++;
            }

            bool expected = _model.Call(model, fails, Now);
            bool admitted = member.TryAcquire(out var permit);
            if (admitted)
            {
                if (fails)
                {
                    permit.RecordFailure();
                }
                else
                {
                    permit.RecordSuccess();
                }
            }

            Assert.True(expected == admitted, $"{key} {(fails ? "failing" : "succeeding")} call: model {(expected ? "admits" : "rejects")}, group {(admitted ? "admits" : "rejects")}");
        }

        private void Compare()
        {
            var snapshot = _group.Snapshot();
            Assert.Equal(_model.Members.Count, snapshot.Members.Count);
            for (int i = 0; i < _members.Count; i++)
            {
                var model = _members[i].Model;
                var real = snapshot.Members[i];
                string who = real.Key;
                Assert.True(Map(model.Effective(Now)) == real.State, $"{who}: model {model.Effective(Now)}, group {real.State}");
                Assert.True(model.HoldsSlot == real.HoldsOpenSlot, $"{who}: model holds a slot {model.HoldsSlot}, group {real.HoldsOpenSlot}");
                Assert.True(model.WouldHaveOpened == real.WouldHaveOpened, $"{who}: would have opened, model {model.WouldHaveOpened}, group {real.WouldHaveOpened}");
                Assert.True(model.Ejections == real.Ejections, $"{who}: ejections, model {model.Ejections}, group {real.Ejections}");
            }

            Assert.True(_model.OpenSlots == snapshot.OpenMembers, $"open slots: model {_model.OpenSlots}, group {snapshot.OpenMembers}");
            Assert.True(_model.Cap == snapshot.MaxOpen, $"cap: model {_model.Cap}, group {snapshot.MaxOpen}");
            Assert.True(_model.Healthy == snapshot.HealthyMembers, $"healthy: model {_model.Healthy}, group {snapshot.HealthyMembers}");
            Assert.True(_model.Panicking == snapshot.IsPanicking, $"panic: model {_model.Panicking}, group {snapshot.IsPanicking}");
            _seen.Ejections += snapshot.Ejections > 0 ? 1 : 0;
            _seen.Refusals += snapshot.WouldHaveOpened > 0 ? 1 : 0;
            _seen.Panics += snapshot.IsPanicking ? 1 : 0;
        }

        private static BreakerState Map(ReferenceGroup.State state) => state switch
        {
            ReferenceGroup.State.Open => BreakerState.Open,
            ReferenceGroup.State.HalfOpen => BreakerState.HalfOpen,
            _ => BreakerState.Closed,
        };

        private void Trace(FormattableString line) => _trace.Append(FormattableString.Invariant(line)).Append('\n');
    }
}
