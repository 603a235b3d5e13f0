using Fusebox;
using Microsoft.Extensions.Time.Testing;

// Ten endpoints of one service behind a BreakerGroup, on a fake clock (the run takes no real time). Each second every
// endpoint gets 20 calls. Scenario 1: one endpoint fails every third call (never 5 in a row, so its own policy never
// trips: the outlier test ejects it); scenario 2: every call to every endpoint fails (the caller's own network is
// down). Prints what the group reported (the first 3 events of each kind) and what each scenario served.
Run("one endpoint of ten fails a third of its calls", failing: (endpoint, call) => endpoint == 3 && call % 3 == 0);
Run("all ten endpoints fail (the caller is the problem)", failing: (_, _) => true);

static void Run(string title, Func<int, int, bool> failing)
{
    var time = new FakeTimeProvider();
    var start = time.GetUtcNow();
    using var group = new BreakerGroup("inventory", new BreakerGroupOptions
    {
        MemberOptions = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(5), BreakDuration = TimeSpan.FromSeconds(30) },
        EvaluationInterval = TimeSpan.FromSeconds(10),
    }, time);
    Console.WriteLine($"== {title}");
    var shown = new Dictionary<BreakerGroupEventKind, int>();
    group.Reported += (_, e) =>
    {
        if ((shown[e.Kind] = shown.GetValueOrDefault(e.Kind) + 1) <= 3)
        {
            Console.WriteLine($"  t={(e.At - start).TotalSeconds,3:0}s {e.Kind,-15} {e.MemberKey,-12} {e.Description}");
        }
    };
    var endpoints = Enumerable.Range(0, 10).Select(i => group.GetOrAdd($"10.0.0.{i}:443")).ToArray();
    int served = 0, rejected = 0, failed = 0;
    for (int second = 0; second < 60; second++)
    {
        for (int call = 0; call < 20; call++)
        {
            for (int i = 0; i < endpoints.Length; i++)
            {
                if (!endpoints[i].TryAcquire(out var permit))
                {
                    rejected++;
                }
                else if (failing(i, call))
                {
                    permit.RecordFailure();
                    failed++;
                }
                else
                {
                    permit.RecordSuccess();
                    served++;
                }
            }
        }

        time.Advance(TimeSpan.FromSeconds(1));
    }

    var status = group.Snapshot();
    Console.WriteLine($"  after 60 s: {served} served, {failed} failed, {rejected} rejected; {status.OpenMembers} of {status.MaxOpen} open slot(s) taken, " +
                      $"{status.WouldHaveOpened} would have opened, panicking: {status.IsPanicking}");
    Console.WriteLine($"  events: {string.Join(", ", shown.Select(kv => $"{kv.Key} × {kv.Value}"))}");
    Console.WriteLine();
}
