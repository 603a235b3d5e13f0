using System.Diagnostics;
using Fusebox.Redis.Tests.Support;

namespace Fusebox.Redis.Tests;

/// <summary>A replica in a second OS process (tests/Fusebox.Redis.Replica) shares the breaker with this one.</summary>
public class ProcessReplicaTests
{
    [Fact]
    public async Task A_replica_in_another_process_sees_this_replica_open_and_its_isolate_is_seen_here()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        await using var child = await ChildReplica.StartAsync(redis, prefix, "Any");
        await using var here = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Any, "here"));

        Assert.Equal("done", await child.SendAsync("isolate"));
        await Eventually.TrueAsync(() => here.State == BreakerState.Isolated, "the other process's isolate reaches this one");
        Assert.Contains("from process", here.Breaker.Snapshot().LastReasonDescription, StringComparison.Ordinal);

        here.Breaker.Reset();
        Assert.Equal("ok", await child.SendAsync("wait Closed 5000"));

        here.Fail(5);
        Assert.Equal("ok", await child.SendAsync("wait Open 5000"));
        Assert.StartsWith("Open External cluster:", await child.SendAsync("state"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_spread_over_two_processes_open_the_breaker_for_both_in_quorum_mode()
    {
        await using var redis = await RedisServer.StartAsync();
        string prefix = Prefix.New();
        await using var child = await ChildReplica.StartAsync(redis, prefix, "Quorum");
        await using var here = await Replica.StartAsync(redis.ConnectionString, Replica.Options(prefix, SharingMode.Quorum, "here"));

        Assert.Equal("done 4", await child.SendAsync("fail 4")); // below the local threshold of 5 in both processes
        here.Fail(4);
        here.Succeed(1);
        here.Fail(2); // 11 calls, 10 failures, 2 of 2 replicas failing

        await Eventually.TrueAsync(() => here.State == BreakerState.Open, "open here");
        Assert.Equal("ok", await child.SendAsync("wait Open 5000"));
    }

    /// <summary>The helper program, driven line by line over stdin/stdout, killed by process id at the end.</summary>
    private sealed class ChildReplica : IAsyncDisposable
    {
        private readonly Process _process;

        private ChildReplica(Process process) => _process = process;

        public static async Task<ChildReplica> StartAsync(RedisServer redis, string prefix, string mode)
        {
            string dir = AppContext.BaseDirectory.Replace(
                $"{Path.DirectorySeparatorChar}Fusebox.Redis.Tests{Path.DirectorySeparatorChar}",
                $"{Path.DirectorySeparatorChar}Fusebox.Redis.Replica{Path.DirectorySeparatorChar}", StringComparison.Ordinal);
            string dll = Path.Combine(dir, "Fusebox.Redis.Replica.dll");
            Assert.True(File.Exists(dll), $"the helper replica was not built: {dll}");
            string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
            var psi = new ProcessStartInfo(dotnet)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { dll, redis.ConnectionString, prefix, Replica.BreakerName, mode })
            {
                psi.ArgumentList.Add(arg);
            }

            var child = new ChildReplica(Process.Start(psi)!);
            Assert.Equal("ready", await child.ReadLineAsync(TimeSpan.FromSeconds(30)));
            return child;
        }

        public async Task<string?> SendAsync(string command)
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            return await ReadLineAsync(TimeSpan.FromSeconds(10));
        }

        private async Task<string?> ReadLineAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                return await _process.StandardOutput.ReadLineAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return $"(no answer within {timeout}; stderr: {(_process.HasExited ? await _process.StandardError.ReadToEndAsync() : "running")})";
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    await _process.StandardInput.WriteLineAsync("quit");
                    await _process.StandardInput.FlushAsync();
                    if (!_process.WaitForExit(3000))
                    {
                        using var byId = Process.GetProcessById(_process.Id);
                        byId.Kill();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
            }

            _process.Dispose();
        }
    }
}
