namespace Fusebox.Replay;

/// <summary>One named breaker configuration to replay a trace through.</summary>
public sealed class ReplayConfiguration
{
    /// <summary>Creates a configuration; validates the options now, so a bad one fails before any replay.</summary>
    /// <param name="name">The name shown in the table and the plot.</param>
    /// <param name="options">The breaker's options. Its <see cref="CircuitBreakerOptions.TimeProvider"/> is ignored: the
    /// replay drives the breaker with a clock of its own.</param>
    /// <exception cref="ArgumentException">The name is empty or an option is out of range (the message names it).</exception>
    public ReplayConfiguration(string name, CircuitBreakerOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Name = name;
        Options = options.Clone();
    }

    /// <summary>The name shown in the table and the plot.</summary>
    public string Name { get; }

    /// <summary>A copy of the options given.</summary>
    public CircuitBreakerOptions Options { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Options.TripPolicy}, break {Options.BreakDuration}";
}
