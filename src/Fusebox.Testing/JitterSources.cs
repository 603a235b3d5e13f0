namespace Fusebox.Testing;

/// <summary>
/// Sources for <see cref="CircuitBreakerOptions.JitterSource"/>, so that breaks shortened by
/// <see cref="CircuitBreakerOptions.BreakDurationJitter"/> have lengths a test can predict.
/// </summary>
public static class JitterSources
{
    /// <summary>Always 0: every break lasts its full length, as if there were no jitter.</summary>
    public static Func<double> None { get; } = static () => 0;

    /// <summary>Always <paramref name="draw"/>: a break of <c>d</c> with jitter <c>j</c> lasts <c>d × (1 - j × draw)</c>.</summary>
    /// <param name="draw">The draw; in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="draw"/> is outside [0, 1).</exception>
    public static Func<double> Fixed(double draw)
    {
        if (!(draw >= 0 && draw < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(draw), draw, $"A jitter draw must be in [0, 1) (was {draw}).");
        }

        return () => draw;
    }

    /// <summary>
    /// The sequence of <c>new Random(seed).NextDouble()</c>: the same breaks on every run, still spread as jitter
    /// spreads them. Safe to call from several threads (a breaker may open on any thread; a plain <see cref="Random"/>
    /// is not thread-safe), though which thread gets which draw then depends on the interleaving.
    /// </summary>
    /// <param name="seed">The seed.</param>
    public static Func<double> Seeded(int seed)
    {
        var random = new Random(seed);
        var gate = new Lock();
        return () =>
        {
            lock (gate)
            {
                return random.NextDouble();
            }
        };
    }
}
