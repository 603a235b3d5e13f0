using System.Diagnostics;
using System.Globalization;

namespace Fusebox.Redis.Tests.Support;

/// <summary>SIGSTOP / SIGCONT by process id (with kill(1): no unsafe interop in the test project), for freezing one
/// redis-server of a topology.</summary>
internal static class ProcessSignals
{
    public static Task SuspendAsync(int pid) => SendAsync(pid, "-STOP");

    public static Task ResumeAsync(int pid) => SendAsync(pid, "-CONT");

    private static async Task SendAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { signal, pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })
            ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill {signal} {pid} exited with {kill.ExitCode}");
        }
    }
}
