using System.Diagnostics;
using Checkout.Payments;

namespace Checkout.Scenario;

/// <summary>
/// Drives checkouts at a fixed rate, open loop: a new checkout starts on schedule whether or not earlier ones have
/// finished, as real customers do. The loop is bounded: it issues exactly rate × duration checkouts, then waits
/// for them all to end.
/// </summary>
public static class LoadDriver
{
    public static async Task RunAsync(PaymentService payments, RunRecorder recorder, PhaseSchedule schedule, int rate, long startedAt, CancellationToken cancellationToken)
    {
        int total = (int)(rate * schedule.Duration.TotalSeconds);
        var pending = new List<Task>(total);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        int issued = 0;
        while (issued < total)
        {
            var elapsed = Stopwatch.GetElapsedTime(startedAt);
            int due = Math.Min(total, (int)(elapsed.TotalSeconds * rate) + 1);
            for (; issued < due; issued++)
            {
                pending.Add(CheckoutAsync(payments, recorder, schedule.At(elapsed), $"tx-{issued:000000}", cancellationToken));
            }

            if (issued < total)
            {
                await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private static async Task CheckoutAsync(PaymentService payments, RunRecorder recorder, Phase phase, string transactionId, CancellationToken cancellationToken)
    {
        await Task.Yield(); // never run a checkout on the driver's own loop
        int slot = recorder.Begin(phase);
        long start = Stopwatch.GetTimestamp();
        var result = await payments.CheckoutAsync(transactionId, cancellationToken).ConfigureAwait(false);
        recorder.End(slot, Stopwatch.GetElapsedTime(start), result);
    }
}
