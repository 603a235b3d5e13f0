namespace Fusebox.Replay;

/// <summary>The command line: <c>Fusebox.Replay TRACE --policy SPEC [--policy SPEC ...] [--svg PATH]</c>.</summary>
public static class ReplayCommand
{
    /// <summary>The help text.</summary>
    public const string Usage = """
        Usage: dotnet run --project tools/Fusebox.Replay -- TRACE --policy SPEC [--policy SPEC ...] [--config FILE] [--svg PATH]
          TRACE          a recorded outcome trace: CSV (timestamp,outcome,duration_ms) or JSON lines (.jsonl)
          --policy SPEC  a breaker configuration to replay, e.g. "name=c5,consecutive:5,break=30s" or
                         "name=rate50,rate:0.5/100calls/min20,break=10s,backoff=2,max=5m"; repeat to compare
          --config FILE  also replay every breaker configured in FILE (appsettings.json), bound by Fusebox.Extensions
          --section PATH where in FILE the breakers are (default Fusebox:Breakers)
          --svg PATH     also write the timeline plot as SVG to PATH
          --help         show this text
        The grammar and the trace format: docs/replay.md.
        """;

    /// <summary>Runs the command; returns 0, or 2 for a bad command line, trace or policy (the message says which).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Contains("--help"))
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        try
        {
            var (tracePath, policies, config, section, svgPath) = Arguments(args);
            // Before the trace: a typo fails at once.
            ReplayConfiguration[] configurations = [.. policies.Select(PolicyParser.Parse), .. config is null ? [] : ConfiguredBreakers.Read(config, section)];
            var trace = TraceReader.ReadFile(tracePath);
            var report = WhatIfReplay.Run(trace, configurations);
            await output.WriteLineAsync($"{trace.Source}: {trace.Records.Count:N0} calls over {ReplayTable.Seconds(trace.End)}").ConfigureAwait(false);
            ReplayTable.Write(report, output);
            await output.WriteLineAsync().ConfigureAwait(false);
            ReplayTable.WriteOpenIntervals(report, output);
            if (svgPath is not null)
            {
                await File.WriteAllTextAsync(svgPath, TimelinePlot.Render(report)).ConfigureAwait(false);
                await output.WriteLineAsync($"Timeline written to {Path.GetFullPath(svgPath)}").ConfigureAwait(false);
            }

            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or UnauthorizedAccessException or InvalidDataException
                                   or Microsoft.Extensions.Options.OptionsValidationException)
        {
            await error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }
    }

    private static (string Trace, List<string> Policies, string? Config, string Section, string? Svg) Arguments(IReadOnlyList<string> args)
    {
        string? trace = null, svg = null, config = null;
        string section = "Fusebox:Breakers";
        var policies = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.\n{Usage}");
            switch (arg)
            {
                case "--policy":
                    policies.Add(Value());
                    break;
                case "--config":
                    config = Value();
                    break;
                case "--section":
                    section = Value();
                    break;
                case "--svg":
                    svg = Value();
                    break;
                case var _ when arg.StartsWith("--", StringComparison.Ordinal) || trace is not null:
                    throw new ArgumentException($"Unknown argument '{arg}'.\n{Usage}");
                default:
                    trace = arg;
                    break;
            }
        }

        return trace is null || (policies.Count == 0 && config is null)
            ? throw new ArgumentException($"Give a trace file and at least one --policy or a --config.\n{Usage}")
            : (trace, policies, config, section, svg);
    }
}
