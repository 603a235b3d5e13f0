using System.Globalization;

namespace Fusebox.Extensions;

/// <summary>Turns bound configuration into validated <see cref="CircuitBreakerOptions"/>, and validation errors into
/// messages that name the configuration path.</summary>
internal static class BreakerOptionsFactory
{
    public const string ConsecutiveFailures = "ConsecutiveFailures";
    public const string FailureRate = "FailureRate";
    public const string SlowCallRate = "SlowCallRate";

    // Policy factory parameter names → the configuration keys users write.
    private static readonly Dictionary<string, string> s_parameterKeys = new(StringComparer.Ordinal)
    {
        ["failureThreshold"] = nameof(BreakerConfiguration.FailureThreshold),
        ["failureRateThreshold"] = nameof(BreakerConfiguration.FailureRateThreshold),
        ["slowCallRateThreshold"] = nameof(BreakerConfiguration.SlowCallRateThreshold),
        ["windowSize"] = nameof(BreakerConfiguration.WindowSize),
        ["window"] = nameof(BreakerConfiguration.WindowDuration),
        ["buckets"] = nameof(BreakerConfiguration.Buckets),
        ["minimumCalls"] = nameof(BreakerConfiguration.MinimumCalls),
    };

    /// <summary>The configuration path of a breaker's settings: <c>Defaults</c> for null, else the entry of
    /// <paramref name="configuredName"/> (a key of <see cref="FuseboxOptions.Breakers"/>), under the section's own path.</summary>
    public static string PathOf(FuseboxOptions options, string? configuredName)
    {
        var provenance = options.Provenance;
        if (configuredName is null)
        {
            return $"{provenance.SectionPath}:{nameof(FuseboxOptions.Defaults)}";
        }

        return provenance.EntryPaths.TryGetValue(configuredName, out string? path)
            ? path
            : $"{provenance.SectionPath}:{nameof(FuseboxOptions.Breakers)}:{configuredName}";
    }

    /// <summary>The effective settings of <paramref name="name"/> (null: the defaults alone). A name <c>a/b</c> without
    /// settings of its own takes those of <c>a</c>: the HTTP handler names per-host breakers <c>{client}/{host}</c>.</summary>
    public static BreakerConfiguration Effective(FuseboxOptions options, string? name) =>
        ConfiguredName(options, name) is { } key ? Layer(options.Breakers[key], options.Defaults) : options.Defaults;

    /// <summary>The key under <c>Fusebox:Breakers</c> whose settings apply to <paramref name="name"/>, or null for the defaults.</summary>
    public static string? ConfiguredName(FuseboxOptions options, string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (options.Breakers.ContainsKey(name))
        {
            return name;
        }

        int slash = name.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && options.Breakers.ContainsKey(name[..slash]) ? name[..slash] : null;
    }

    /// <summary>Builds and validates the options; throws <see cref="FuseboxConfigurationException"/> naming the path.</summary>
    public static CircuitBreakerOptions Create(FuseboxOptions options, string? name)
    {
        string path = PathOf(options, ConfiguredName(options, name));
        try
        {
            var result = Build(Effective(options, name), path);
            foreach (var customize in options.Customizations)
            {
                customize(name ?? string.Empty, result);
            }

            result.Validate();
            return result;
        }
        catch (ArgumentException ex) when (ex is not FuseboxConfigurationException)
        {
            throw new FuseboxConfigurationException($"{path}:{KeyOf(ex.ParamName)}: {ex.Message.Split(" (Parameter")[0]}", ex);
        }
    }

    /// <summary>Every error of the whole section: first each key or value that could not be read, then one
    /// validation message per breaker whose settings were all read. A breaker with an unreadable setting (or any
    /// breaker, when a default is unreadable) is not validated: its errors would only be consequences of the first.</summary>
    public static List<string> Validate(FuseboxOptions options)
    {
        var provenance = options.Provenance;
        var errors = provenance.Errors.ToList();
        bool defaultsIncomplete = provenance.IsIncomplete(PathOf(options, null));
        foreach (string? name in options.Breakers.Keys.Prepend(null))
        {
            if (defaultsIncomplete || provenance.IsIncomplete(PathOf(options, name)))
            {
                continue;
            }

            try
            {
                Create(options, name);
            }
            catch (FuseboxConfigurationException ex)
            {
                errors.Add(ex.Message);
            }
        }

        try
        {
            ToRegistryOptions(options).Validate();
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{provenance.SectionPath}:{KeyOf(ex.ParamName)}: {ex.Message.Split(" (Parameter")[0]}");
        }

        return errors;
    }

    public static CircuitBreakerRegistryOptions ToRegistryOptions(FuseboxOptions options) => new()
    {
        MaxBreakers = options.MaxBreakers,
        EvictAfterIdle = options.EvictAfterIdle,
    };

    private static CircuitBreakerOptions Build(BreakerConfiguration c, string path)
    {
        var o = new CircuitBreakerOptions { TripPolicy = CreatePolicy(c, path) };
        o.BreakDuration = c.BreakDuration ?? o.BreakDuration;
        o.MaxBreakDuration = c.MaxBreakDuration ?? o.MaxBreakDuration;
        o.BreakDurationBackoff = c.BreakDurationBackoff ?? o.BreakDurationBackoff;
        o.BreakDurationJitter = c.BreakDurationJitter ?? o.BreakDurationJitter;
        o.HalfOpenPermits = c.HalfOpenPermits ?? o.HalfOpenPermits;
        o.SuccessesToClose = c.SuccessesToClose ?? o.SuccessesToClose;
        o.ProbeTimeout = c.ProbeTimeout ?? o.ProbeTimeout;
        o.SlowCallThreshold = c.SlowCallThreshold ?? o.SlowCallThreshold;
        o.CollectStatistics = c.CollectStatistics ?? o.CollectStatistics;
        o.ShadowMode = c.ShadowMode ?? o.ShadowMode;
        return o;
    }

    private static TripPolicy CreatePolicy(BreakerConfiguration c, string path)
    {
        string kind = c.TripPolicy ?? ConsecutiveFailures;
        if (string.Equals(kind, ConsecutiveFailures, StringComparison.OrdinalIgnoreCase))
        {
            return TripPolicy.ConsecutiveFailures(c.FailureThreshold ?? 5);
        }

        bool failureRate = string.Equals(kind, FailureRate, StringComparison.OrdinalIgnoreCase);
        if (!failureRate && !string.Equals(kind, SlowCallRate, StringComparison.OrdinalIgnoreCase))
        {
            throw new FuseboxConfigurationException(
                $"{path}:TripPolicy: '{kind}' is not a trip policy; use {ConsecutiveFailures}, {FailureRate} or {SlowCallRate}.");
        }

        if ((c.WindowSize is null) == (c.WindowDuration is null))
        {
            throw new FuseboxConfigurationException(
                $"{path}: the {kind} policy needs exactly one of WindowSize (last N calls) or WindowDuration (last span of time).");
        }

        double? rate = failureRate ? c.FailureRateThreshold : c.SlowCallRateThreshold;
        if (rate is null)
        {
            string key = failureRate ? nameof(BreakerConfiguration.FailureRateThreshold) : nameof(BreakerConfiguration.SlowCallRateThreshold);
            throw new FuseboxConfigurationException($"{path}:{key}: required by the {kind} policy, in (0, 1].");
        }

        int minimumCalls = c.MinimumCalls ?? 1;
        return (failureRate, c.WindowSize) switch
        {
            (true, { } size) => TripPolicy.FailureRate(rate.Value, size, minimumCalls, c.SlowCallRateThreshold),
            (true, null) => TripPolicy.FailureRate(rate.Value, c.WindowDuration!.Value, minimumCalls, c.SlowCallRateThreshold, c.Buckets ?? 10),
            (false, { } size) => TripPolicy.SlowCallRate(rate.Value, size, minimumCalls),
            (false, null) => TripPolicy.SlowCallRate(rate.Value, c.WindowDuration!.Value, minimumCalls, c.Buckets ?? 10),
        };
    }

    private static string KeyOf(string? parameter)
    {
        if (parameter is null)
        {
            return "?";
        }

        int dot = parameter.LastIndexOf('.');
        string key = dot >= 0 ? parameter[(dot + 1)..] : parameter;
        return s_parameterKeys.GetValueOrDefault(key, key);
    }

    private static BreakerConfiguration Layer(BreakerConfiguration top, BreakerConfiguration below) => new()
    {
        TripPolicy = top.TripPolicy ?? below.TripPolicy,
        FailureThreshold = top.FailureThreshold ?? below.FailureThreshold,
        FailureRateThreshold = top.FailureRateThreshold ?? below.FailureRateThreshold,
        SlowCallRateThreshold = top.SlowCallRateThreshold ?? below.SlowCallRateThreshold,
        WindowSize = top.WindowSize ?? (top.WindowDuration is null ? below.WindowSize : null),
        WindowDuration = top.WindowDuration ?? (top.WindowSize is null ? below.WindowDuration : null),
        Buckets = top.Buckets ?? below.Buckets,
        MinimumCalls = top.MinimumCalls ?? below.MinimumCalls,
        BreakDuration = top.BreakDuration ?? below.BreakDuration,
        MaxBreakDuration = top.MaxBreakDuration ?? below.MaxBreakDuration,
        BreakDurationBackoff = top.BreakDurationBackoff ?? below.BreakDurationBackoff,
        BreakDurationJitter = top.BreakDurationJitter ?? below.BreakDurationJitter,
        HalfOpenPermits = top.HalfOpenPermits ?? below.HalfOpenPermits,
        SuccessesToClose = top.SuccessesToClose ?? below.SuccessesToClose,
        ProbeTimeout = top.ProbeTimeout ?? below.ProbeTimeout,
        SlowCallThreshold = top.SlowCallThreshold ?? below.SlowCallThreshold,
        CollectStatistics = top.CollectStatistics ?? below.CollectStatistics,
        ShadowMode = top.ShadowMode ?? below.ShadowMode,
        Critical = top.Critical ?? below.Critical,
    };
}
