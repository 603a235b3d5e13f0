// snippet:start
using Fusebox;
using Fusebox.Replay;
// snippet:end

namespace Docs.Tests.Snippets.Replay;

/// <summary>docs/replay.md, "The library": replaying a trace from code.</summary>
public static class ReplayFromCode
{
    public static void Run()
    {
        // snippet:start
        var trace = TraceReader.ReadFile("trace.csv");
        var report = WhatIfReplay.Run(trace,
        [
            new ReplayConfiguration("c10", new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(10) }),
            PolicyParser.Parse("name=rate50,rate:0.5/100calls/min20,break=10s"),
        ]);
        foreach (var result in report.Results)
        {
            Console.WriteLine($"{result.Name}: opened {result.TimesOpened} times, first at {result.FirstOpenAt}, " +
                              $"rejected {result.Rejected}, let {result.FailuresLetThrough} failures through");
        }

        File.WriteAllText("replay.svg", TimelinePlot.Render(report));
        // snippet:end
    }
}
