// A breaker replica in a separate OS process. Usage: Fusebox.Redis.Replica <redis endpoint> <key prefix> <breaker> <Quorum|Any>
// Reads one command per line and answers one line each:
//   fail N | ok N        make N failing / successful calls (answers "done <admitted>")
//   state                 "<State> <LastReason> <description>"
//   isolate | reset       manual control on this replica (answers "done")
//   wait <State> <ms>     waits until the local breaker is in State (answers "ok" or "timeout <State>")
//   quit
using Fusebox;
using Fusebox.Redis;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: <redis endpoint> <key prefix> <breaker> <mode>");
    return 2;
}

var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions
{
    DefaultOptions = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(5), BreakDuration = TimeSpan.FromSeconds(30) },
});
var breaker = registry.GetOrAdd(args[2]);
await using var coordinator = new RedisStateCoordinator(registry, args[0], new RedisStateOptions
{
    KeyPrefix = args[1],
    ReplicaId = "process-" + Environment.ProcessId,
    Mode = Enum.Parse<SharingMode>(args[3]),
    FlushInterval = TimeSpan.FromMilliseconds(50),
    PollInterval = TimeSpan.FromMilliseconds(500),
});
if (!await coordinator.WaitUntilAvailableAsync(TimeSpan.FromSeconds(20)))
{
    Console.WriteLine("unavailable");
    return 1;
}

Console.WriteLine("ready");
string? line;
while ((line = Console.ReadLine()) is not null)
{
    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    switch (parts.FirstOrDefault())
    {
        case "fail" or "ok":
        {
            int admitted = 0;
            for (int i = 0; i < int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture); i++)
            {
                if (breaker.TryAcquire(out var permit))
                {
                    admitted++;
                    if (parts[0] == "fail")
                    {
                        permit.RecordFailure();
                    }
                    else
                    {
                        permit.RecordSuccess();
                    }
                }
            }

            Console.WriteLine($"done {admitted}");
            break;
        }

        case "state":
        {
            var s = breaker.Snapshot();
            Console.WriteLine($"{s.State} {s.LastReason} {s.LastReasonDescription}");
            break;
        }

        case "isolate":
            breaker.Isolate("from process " + Environment.ProcessId);
            Console.WriteLine("done");
            break;

        case "reset":
            breaker.Reset("from process " + Environment.ProcessId);
            Console.WriteLine("done");
            break;

        case "wait":
        {
            var target = Enum.Parse<BreakerState>(parts[1]);
            var deadline = DateTime.UtcNow.AddMilliseconds(int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture));
            while (breaker.State != target && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            Console.WriteLine(breaker.State == target ? "ok" : $"timeout {breaker.State}");
            break;
        }

        case "quit":
            return 0;

        default:
            Console.WriteLine("unknown command");
            break;
    }
}

return 0;
