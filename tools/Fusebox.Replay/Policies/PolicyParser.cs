using System.Globalization;

namespace Fusebox.Replay;

/// <summary>
/// Parses the <c>--policy</c> grammar of docs/replay.md into a <see cref="ReplayConfiguration"/>: comma-separated
/// tokens, each a trip policy (<c>kind:arguments</c>) or a setting (<c>key=value</c>), e.g.
/// <c>name=rate50,rate:0.5/100calls/min20,break=10s,backoff=2,max=5m</c>. At most one trip policy (default
/// <c>consecutive:5</c>, the library's); unset settings keep the <see cref="CircuitBreakerOptions"/> defaults.
/// </summary>
public static class PolicyParser
{
    /// <summary>The trip policies, for messages.</summary>
    public const string TripPolicies = "consecutive:N, rate:RATE/WINDOW[/minN][/slowRATE][/bucketsN], slowrate:RATE/WINDOW[/minN][/bucketsN] (WINDOW: Ncalls or a duration such as 30s)";

    /// <summary>The settings, for messages.</summary>
    public const string Settings = "name=TEXT, break=DURATION, backoff=NUMBER, max=DURATION, jitter=NUMBER, probes=N, close=N, probe-timeout=DURATION, slow=DURATION";

    /// <summary>Parses one policy text.</summary>
    /// <param name="text">E.g. <c>name=c5,consecutive:5,break=30s</c>.</param>
    /// <exception cref="PolicySyntaxException">A token is not in the grammar, or a value is out of its range.</exception>
    public static ReplayConfiguration Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var options = new CircuitBreakerOptions();
        string? name = null;
        string? tripToken = null;
        foreach (string token in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var reader = new TokenReader(text, token);
            int colon = token.IndexOf(':', StringComparison.Ordinal);
            int equals = token.IndexOf('=', StringComparison.Ordinal);
            if (colon > 0 && (equals < 0 || colon < equals))
            {
                if (tripToken is not null)
                {
                    throw reader.Error($"a second trip policy (the first was '{tripToken}'); give one per --policy.");
                }

                tripToken = token;
                options.TripPolicy = TripPolicyText.Parse(reader, token[..colon], token[(colon + 1)..]);
            }
            else if (equals > 0)
            {
                string value = token[(equals + 1)..];
                name = Setting(reader, options, token[..equals], value) ?? name;
            }
            else
            {
                throw reader.Error($"expected a trip policy ({TripPolicies}) or a setting ({Settings}).");
            }
        }

        try
        {
            return new ReplayConfiguration(name ?? text, options);
        }
        catch (ArgumentException ex)
        {
            throw new PolicySyntaxException(text, text, MessageOf(ex));
        }
    }

    /// <summary>An argument exception's own sentence, without the "(Parameter ...)" and "Actual value" lines .NET appends
    /// (the library's messages already name the option and the value).</summary>
    internal static string MessageOf(ArgumentException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Applies one setting; returns the name for <c>name=</c>, else null.</summary>
    private static string? Setting(TokenReader reader, CircuitBreakerOptions options, string key, string value)
    {
        switch (key)
        {
            case "name":
                return value.Length > 0 ? value : throw reader.Error("name= needs a text.");
            case "break":
                options.BreakDuration = reader.Duration(value);
                break;
            case "backoff":
                options.BreakDurationBackoff = reader.Number(value, 1, 100);
                break;
            case "max":
                options.MaxBreakDuration = reader.Duration(value);
                break;
            case "jitter":
                options.BreakDurationJitter = reader.Number(value, 0, 0.999);
                break;
            case "probes":
                options.HalfOpenPermits = reader.Count(value, 1, 1000);
                break;
            case "close":
                options.SuccessesToClose = reader.Count(value, 1, 1000);
                break;
            case "probe-timeout":
                options.ProbeTimeout = reader.Duration(value);
                break;
            case "slow":
                options.SlowCallThreshold = reader.Duration(value);
                break;
            default:
                throw reader.Error($"unknown setting '{key}'; allowed: {Settings}.");
        }

        return null;
    }
}

/// <summary>Reads the values of one token, and builds errors that name it.</summary>
internal readonly struct TokenReader(string policy, string token)
{
    public PolicySyntaxException Error(string problem) => new(policy, token, problem);

    /// <summary>A duration: a number and a unit, <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (<c>500ms</c>, <c>1.5s</c>, <c>5m</c>).</summary>
    public TimeSpan Duration(string text)
    {
        (string digits, double unitMs) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1_000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ when text.EndsWith('h') => (text[..^1], 3_600_000.0),
            _ => ("", 0.0),
        };
        return unitMs > 0 && double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n > 0 && n * unitMs <= CircuitBreakerOptions.MaxDuration.TotalMilliseconds
            ? TimeSpan.FromMilliseconds(n * unitMs)
            : throw Error($"'{text}' is not a duration: a number above 0 and a unit ms, s, m or h (e.g. 500ms, 30s, 5m), at most 1 day.");
    }

    public double Number(string text, double min, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= min && n <= max
            ? n
            : throw Error($"'{text}' must be a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}].");

    /// <summary>A rate in (0, 1].</summary>
    public double Rate(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n > 0 && n <= 1
            ? n
            : throw Error($"'{text}' must be a rate in (0, 1], e.g. 0.5 for half the calls.");

    public int Count(string text, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw Error($"'{text}' must be a whole number in [{min}, {max}].");
}
