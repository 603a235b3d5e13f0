using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Checkout.Tests;

/// <summary><c>--serve</c> as a real process: it must stop on SIGTERM (docker stop, systemd, kill), not only on Ctrl+C.</summary>
public class ServeSignalTests
{
    [Fact]
    public async Task Serve_mode_exits_cleanly_on_SIGTERM()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Skip("SIGTERM is a POSIX signal.");
        }

        var cancel = TestContext.Current.CancellationToken;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(CheckoutApp).Assembly.Location, "--duration", "6", "--rate", "5", "--serve" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var output = new StringBuilder();
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.StartsWith("Serving the dashboard", StringComparison.Ordinal) == true)
            {
                serving.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // Bounds on a hung run, not timings under test: the 6 s scenario with its warm-up takes ~10 s.
            await Task.WhenAny(serving.Task, process.WaitForExitAsync(cancel), Task.Delay(TimeSpan.FromMinutes(2), cancel));
            Assert.True(serving.Task.IsCompleted, $"the run did not reach --serve:\n{Text(output)}");

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill!.WaitForExitAsync(cancel);
            }

            // Before the fix SIGTERM stopped only the payment host's lifetime, and the process waited for Ctrl+C forever.
            var exited = process.WaitForExitAsync(cancel);
            await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(30), cancel));
            Assert.True(exited.IsCompleted, $"--serve was still running 30 s after SIGTERM:\n{Text(output)}");
            Assert.Equal(0, process.ExitCode);
            Assert.Contains("Stopping.", Text(output), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
