using Fusebox.Internal;

namespace Fusebox.Tests.Statistics;

public class SliceRotationTests
{
    [Fact]
    public void The_first_write_of_a_second_resets_its_slice_and_older_seconds_are_not_summed()
    {
        var slices = new RollingSlices();
        slices.Increment(SliceCounter.Success, 3);
        slices.Increment(SliceCounter.Success, 3);
        slices.Increment(SliceCounter.Failure, 12 );
        Assert.Equal((2, 1), Totals(slices, 12 ));
        Assert.Equal((0, 1), Totals(slices, 13 )); // second 3 left the window: 4..13

        slices.Increment(SliceCounter.Success, 13 ); // slice 3 rotates from second 3 to 13
        Assert.Equal((1, 1), Totals(slices, 13 ));
        Assert.Equal((1, 0), Totals(slices, 22 ));
    }

    /// <summary>
    /// Writers racing the rotation of a slice: they all write second 10 (slice 0, holding second 0) while one of them
    /// clears it. Whatever the interleaving, a write lands in second 10's slice after the clear or, when it found the
    /// slice being cleared, in second 9's: both in the window, so the window's total is exact in every round.
    /// </summary>
    [Fact]
    public void Writes_racing_a_rotation_land_in_the_new_or_the_previous_slice_and_none_is_lost()
    {
        const int Writers = 4, PerWriter = 2_000, Rounds = 100; // bounded: 800,000 increments in all
        for (int round = 0; round < Rounds; round++)
        {
            var slices = new RollingSlices();
            long baseSecond = round * 100;
            for (int s = 0; s < 10; s++)
            {
                slices.Increment(SliceCounter.Failure, baseSecond + s); // every slice holds an older second
            }

            using var start = new Barrier(Writers);
            var writers = Enumerable.Range(0, Writers).Select(_ => new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < PerWriter; i++)
                {
                    slices.Increment(SliceCounter.Success, baseSecond + 10);
                }
            })).ToArray();
            foreach (var w in writers)
            {
                w.Start();
            }

            foreach (var w in writers)
            {
                w.Join();
            }

            // Window 1..10: the failures of seconds 1..9 and every success; second 0's failure was cleared.
            Assert.Equal((Writers * PerWriter, 9), Totals(slices, baseSecond + 10));
        }
    }

    private static (long Successes, long Failures) Totals(RollingSlices slices, long second)
    {
        var totals = new long[RollingSlices.Stride];
        slices.Sum(second, totals);
        return (totals[(int)SliceCounter.Success], totals[(int)SliceCounter.Failure]);
    }
}
