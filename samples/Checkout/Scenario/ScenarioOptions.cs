using System.Globalization;
using Fusebox.Redis;

namespace Checkout.Scenario;

/// <summary>The command line of the Checkout sample.</summary>
public sealed record ScenarioOptions
{
    public const string Usage = """
        Usage: dotnet run --project samples/Checkout -- [options]
          --duration SECONDS   length of the scripted scenario (default 60, 6 to 600); every phase scales with it
          --rate N             checkouts per second driven into each run (default 100, 1 to 1000)
          --json PATH          also write the results as JSON to PATH
          --record PATH        also write the Fusebox run's fraud calls as an outcome trace (CSV: timestamp,outcome,
                               duration_ms) to PATH, for tools/Fusebox.Replay (docs/replay.md)
          --serve              keep the dashboard and /metrics up on http://127.0.0.1:5080 after the run
          --redis [CONNECTION] run two payment replicas per run instead, their breakers local in one run and shared
                               through Redis in the other (Fusebox.Redis); without CONNECTION a local redis-server
                               is started on a free loopback port
          --sharing MODE       with --redis: quorum (default: the cluster opens when a quorum of the replicas fail)
                               or any (one replica's trip opens every replica)
          --partial-outage     instead: a 30 % capacity loss of the fraud service, the hard breaker beside the same
                               breaker with adaptive throttling, on a virtual clock (docs/throttling.md)
          --help               show this text
        """;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public int Rate { get; init; } = 100;

    public string? JsonPath { get; init; }

    public bool Serve { get; init; }

    /// <summary>Where <c>--record</c> writes the outcome trace of the Fusebox run's fraud calls; null not to.</summary>
    public string? RecordPath { get; init; }

    /// <summary>True for the partial-outage demonstration of adaptive throttling instead of the scripted outage.</summary>
    public bool PartialOutage { get; init; }

    /// <summary>True for the two-replica scenario with shared breaker state.</summary>
    public bool Redis { get; init; }

    /// <summary>The Redis to share through; null to start a local <c>redis-server</c>.</summary>
    public string? RedisConnection { get; init; }

    /// <summary>How the replicas share their breakers with <c>--redis</c>.</summary>
    public SharingMode Sharing { get; init; } = SharingMode.Quorum;

    /// <summary>Phase timings scale with the duration; 1 at the default 60 s.</summary>
    public double Scale => Duration.TotalSeconds / 60;

    /// <summary>Parses the command line; throws <see cref="ArgumentException"/> naming the bad argument and its range.</summary>
    public static ScenarioOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScenarioOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            options = arg switch
            {
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Number(arg, Value(), 6, 600)) },
                "--rate" => options with { Rate = (int)Number(arg, Value(), 1, 1000) },
                "--json" => options with { JsonPath = Value() },
                "--serve" => options with { Serve = true },
                "--partial-outage" => options with { PartialOutage = true },
                "--record" => options with { RecordPath = Value() },
                "--sharing" => options with { Sharing = Value() switch
                {
                    "quorum" => SharingMode.Quorum,
                    "any" => SharingMode.Any,
                    var other => throw new ArgumentException($"--sharing must be quorum or any (was '{other}')."),
                } },
                "--redis" => options with { Redis = true, RedisConnection = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null },
                _ => throw new ArgumentException($"Unknown argument '{arg}'.\n{Usage}"),
            };
        }

        if (options.Redis && options.Serve)
        {
            throw new ArgumentException("--serve shows one payment service's dashboard; it cannot be combined with --redis (four payment replicas).");
        }

        if (options.Redis && options.RecordPath is not null)
        {
            throw new ArgumentException("--record traces the one Fusebox run's fraud calls; it cannot be combined with --redis (four payment replicas).");
        }

        return options;
    }

    private static double Number(string name, string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be a number in [{min}, {max}] (was '{text}').");
}
