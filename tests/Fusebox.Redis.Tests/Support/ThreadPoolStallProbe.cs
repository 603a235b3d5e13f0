using System.Diagnostics;

namespace Fusebox.Redis.Tests.Support;

/// <summary>
/// Measures how long a work item queued to the thread pool waits before it runs, from a dedicated thread, every 20 ms,
/// for the whole test process once started. The coordinators' loops and every continuation of a Redis reply run on
/// the pool: while it is starved, nothing in the process propagates, whatever Fusebox does. A test that bounds
/// propagation asserts <see cref="WorstWait"/> too, so a starved pool is named as the cause instead of showing up as a
/// late trip. (StackExchange.Redis's Sentinel support is one cause; see <see cref="SentinelSet.ReserveThreadsForSentinelClients"/>.)
/// </summary>
internal static class ThreadPoolStallProbe
{
    private static readonly Lazy<Thread> s_thread = new(StartThread);
    private static long s_worstTicks;

    /// <summary>Starts the probe (once per process); later calls do nothing.</summary>
    public static void EnsureStarted() => _ = s_thread.Value;

    /// <summary>The longest a probe work item has waited for a pool thread since the probe started.</summary>
    public static TimeSpan WorstWait => TimeSpan.FromTicks(Interlocked.Read(ref s_worstTicks));

    /// <summary>Forgets the worst wait so far (at the start of a test that asserts its own).</summary>
    public static void Reset() => Interlocked.Exchange(ref s_worstTicks, 0);

    public static string Describe() => !s_thread.IsValueCreated ? "thread pool: not measured" : $"thread pool: the worst wait of a queued work item was {WorstWait.TotalMilliseconds:0} ms " +
        $"({ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} items pending now)";

    private static Thread StartThread()
    {
        // A background thread of the test process: it ends with the process, and each pass is bounded (a work item
        // that never runs is waited for at most 60 s, the wait still counted).
        var thread = new Thread(Run) { IsBackground = true, Name = "thread-pool-stall-probe" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        using var ran = new ManualResetEventSlim();
        while (true)
        {
            ran.Reset();
            long queued = Stopwatch.GetTimestamp();
            ThreadPool.UnsafeQueueUserWorkItem(static state => ((ManualResetEventSlim)state!).Set(), ran);
            ran.Wait(TimeSpan.FromSeconds(60));
            long waited = Stopwatch.GetElapsedTime(queued).Ticks;
            for (long worst = Interlocked.Read(ref s_worstTicks); waited > worst; worst = Interlocked.Read(ref s_worstTicks))
            {
                Interlocked.CompareExchange(ref s_worstTicks, waited, worst);
            }

            Thread.Sleep(20);
        }
    }
}
