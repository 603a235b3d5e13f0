namespace Fusebox.Replay;

/// <summary>The trip-policy token of the <c>--policy</c> grammar, turned into the library's own <see cref="TripPolicy"/>
/// factories (so a replayed policy is exactly the one an application would configure).</summary>
internal static class TripPolicyText
{
    public static TripPolicy Parse(TokenReader reader, string kind, string arguments)
    {
        try
        {
            return kind switch
            {
                "consecutive" => TripPolicy.ConsecutiveFailures(reader.Count(arguments, 1, int.MaxValue)),
                "rate" => Windowed(reader, arguments, slowOnly: false),
                "slowrate" => Windowed(reader, arguments, slowOnly: true),
                _ => throw reader.Error($"unknown trip policy '{kind}'; allowed: {PolicyParser.TripPolicies}."),
            };
        }
        catch (ArgumentException ex)
        {
            throw reader.Error(PolicyParser.MessageOf(ex)); // a range the policy's own constructor checks (e.g. min above the window)
        }
    }

    private static TripPolicy Windowed(TokenReader reader, string arguments, bool slowOnly)
    {
        string[] parts = arguments.Split('/');
        if (parts.Length < 3)
        {
            throw reader.Error($"expected RATE/WINDOW/minN (e.g. 0.5/100calls/min20 or 0.5/30s/min20); allowed: {PolicyParser.TripPolicies}.");
        }

        double rate = reader.Rate(parts[0]);
        string window = parts[1];
        int? minimum = null, buckets = null;
        double? slowRate = null;
        foreach (string modifier in parts.Skip(2))
        {
            if (modifier.StartsWith("min", StringComparison.Ordinal))
            {
                minimum = reader.Count(modifier[3..], 1, int.MaxValue);
            }
            else if (modifier.StartsWith("slow", StringComparison.Ordinal) && !slowOnly)
            {
                slowRate = reader.Rate(modifier[4..]);
            }
            else if (modifier.StartsWith("buckets", StringComparison.Ordinal))
            {
                buckets = reader.Count(modifier[7..], 1, TimeWindowPolicy.MaxBuckets);
            }
            else
            {
                throw reader.Error($"unknown part '{modifier}'; after RATE/WINDOW come minN{(slowOnly ? "" : ", slowRATE")} and (time windows) bucketsN.");
            }
        }

        int min = minimum ?? throw reader.Error("minN is required: the calls in the window before the rate is trusted (e.g. min20).");
        if (window.EndsWith("calls", StringComparison.Ordinal))
        {
            if (buckets is not null)
            {
                throw reader.Error("bucketsN applies to time windows only (WINDOW is a duration such as 30s).");
            }

            int size = reader.Count(window[..^5], 1, CountWindowPolicy.MaxWindowSize);
            return slowOnly ? TripPolicy.SlowCallRate(rate, size, min) : TripPolicy.FailureRate(rate, size, min, slowRate);
        }

        var span = reader.Duration(window);
        return slowOnly
            ? TripPolicy.SlowCallRate(rate, span, min, buckets ?? 10)
            : TripPolicy.FailureRate(rate, span, min, slowRate, buckets ?? 10);
    }
}
