using Fusebox.Internal;

namespace Fusebox.Tests.Throttling;

/// <summary>
/// The throttling window's own rules, below the breaker: an accept counts in its request's bucket (the breaker passes
/// the admission time) and leaves the window with it, and counts racing the moves that seal their buckets are
/// counted exactly once (the interleavings in <see cref="ThrottleWindow"/>'s remarks).
/// </summary>
public class ThrottleWindowTests
{
    private static readonly long Second = TimeSpan.FromSeconds(1).Ticks;

    [Fact]
    public void An_accept_counts_in_its_requests_bucket_and_leaves_the_window_with_it()
    {
        var window = new ThrottleWindow(TimeSpan.FromSeconds(10), 10, 0);
        window.AddRequest(Second / 2);

        Assert.Equal(0.5, window.Probability(5 * Second, 1, 1)); // the window moved on; bucket 0 is sealed
        window.AddAccept(Second / 2); // a call admitted at 0.5 s that completed after the move
        Assert.Equal((1L, 1L), (window.Requests, window.Accepts));
        Assert.Equal(0, window.Probability(5 * Second, 1, 1));

        window.AddAccept(Second / 2); // (counted twice here only to see it leave twice)
        Assert.Equal(0, window.Probability((10 * Second) + 1, 1, 1)); // bucket 0 has left the window
        Assert.Equal((0L, 0L), (window.Requests, window.Accepts));

        window.AddAccept(Second / 2); // a call that outlived the window: its request is gone, so is its accept
        Assert.Equal((0L, 0L), (window.Requests, window.Accepts));
    }

    [Fact]
    public void A_window_idle_for_longer_than_a_ring_starts_empty()
    {
        var window = new ThrottleWindow(TimeSpan.FromSeconds(10), 10, 0);
        for (int i = 0; i < 10; i++)
        {
            window.AddRequest(i * Second);
        }

        Assert.Equal(10, window.Requests);
        window.AddRequest(25 * Second);
        Assert.Equal((1L, 0L), (window.Requests, window.Accepts));
    }

    /// <summary>
    /// Interleavings (1), (2) and (4): four threads count requests at rising times and accepts up to half a second
    /// behind them (calls admitted earlier), over a thousand 10 ms buckets, so the window moves about a thousand times
    /// while they add: adds to the head race the seal of that head, restarts race restarts. Nothing leaves the window
    /// (all times are within one ring), so every count must be in the totals exactly once when the threads are done.
    /// Seen failing with an add to a sealed bucket not reaching the sealed total ("Expected (800000, 800000), Actual
    /// (201068, 2223)"; the model test fails on that too). The narrower head-versus-seal race is the next test's.
    /// </summary>
    [Fact]
    public async Task Counts_racing_the_moves_that_seal_and_restart_their_buckets_are_counted_exactly_once()
    {
        const int Threads = 4;
        const int PerThread = 200_000;
        var window = new ThrottleWindow(TimeSpan.FromSeconds(10), 1000, 0);
        long span = (10 * Second) - 1;
        using var start = new Barrier(Threads);

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            var random = new Random(t);
            start.SignalAndWait();
            for (int i = 0; i < PerThread; i++)
            {
                long now = (long)((double)i / PerThread * span);
                window.AddRequest(now);
                window.AddAccept(Math.Max(0, now - random.Next(0, (int)(Second / 2))));
            }
        })));

        Assert.Equal((Threads * (long)PerThread, Threads * (long)PerThread), (window.Requests, window.Accepts));
        Assert.Equal(0, window.Probability(span, 1, 1));
        Assert.Equal(0, window.Probability(100 * Second, 2, 1));
        Assert.Equal((0L, 0L), (window.Requests, window.Accepts));
    }
    /// <summary>
    /// Interleaving (2), driven hard: one thread moves the window one bucket at a time as fast as it can (each move seals
    /// the old head) while two others count requests and accepts (through the admission's and the completion's fast
    /// paths) at the time the mover last published, so their adds keep landing on a head bucket at the instant it is
    /// sealed. A hundred thousand one-tick buckets: nothing leaves the window, and every count must be in the totals.
    /// Seen failing with either fast path's sealed-bit check removed (adding to a slot a mover had just sealed, so
    /// the count never reached the sealed total): at 10 rounds, 4 runs of 4 with the admission's removed ("round 0:
    /// 8076827 adds, totals 8076825 requests and 8076827 accepts"), 2 of 3 with the completion's ("round 0: 9592185
    /// adds, totals 9592185 requests and 9592184 accepts"); hence 20 rounds.
    /// </summary>
    [Fact]
    public async Task An_add_to_the_head_racing_the_seal_of_that_head_is_counted_once()
    {
        const int Rounds = 20; // the race is narrow: see above
        for (int round = 0; round < Rounds; round++)
        {
            var (adds, requests, accepts) = await RaceAddsAgainstMoves(moves: 99_999);
            Assert.True((adds, adds) == (requests, accepts), $"round {round}: {adds} adds, totals {requests} requests and {accepts} accepts");
        }
    }

    private static async Task<(long Adds, long Requests, long Accepts)> RaceAddsAgainstMoves(int moves)
    {
        var window = new ThrottleWindow(TimeSpan.FromTicks(moves + 1), moves + 1, 0);
        long clock = 0;
        bool done = false;

        var mover = Task.Run(() =>
        {
            for (long t = 1; t <= moves; t++)
            {
                Volatile.Write(ref clock, t);
                window.Probability(t, 1, 1);
            }

            Volatile.Write(ref done, true);
        });
        var adders = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            long added = 0;
            while (!Volatile.Read(ref done) && added < 10_000_000)
            {
                long t = Volatile.Read(ref clock);
                window.ProbabilityThenAddRequest(t, 1, 1); // the admission's fast path
                window.AddAccept(t); // the completion's
                added++;
            }

            return added;
        })).ToArray();

        await mover;
        long adds = (await Task.WhenAll(adders)).Sum();
        return (adds, window.Requests, window.Accepts);
    }
}
