using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using StackExchange.Redis;

namespace Fusebox.Redis.Scale;

/// <summary>The parent: starts redis-server (unless given one) and the replica processes, measures idle then busy, prints.</summary>
internal static class ScaleRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int breakers = Option(args, "--breakers", 10_000);
        int replicas = Option(args, "--replicas", 3);
        int seconds = Option(args, "--seconds", 10);
        int sweep = Option(args, "--sweep", 60);
        string mode = args.SkipWhile(a => a != "--mode").Skip(1).FirstOrDefault() ?? "Quorum";
        bool busy = !args.Contains("--idle-only");
        string? endpoint = args.SkipWhile(a => a != "--redis").Skip(1).FirstOrDefault();
        var redis = endpoint is null ? StartRedis(out endpoint) : null;
        try
        {
            return await RunAgainstAsync(endpoint, new Setup(breakers, replicas, seconds, sweep, mode, busy));
        }
        finally
        {
            if (redis is { HasExited: false })
            {
                redis.Kill(); // the redis-server this run started, by its process
            }

            redis?.Dispose();
        }
    }

    private sealed record Setup(int Breakers, int Replicas, int Seconds, int Sweep, string Mode, bool Busy);

    private static async Task<int> RunAgainstAsync(string endpoint, Setup setup)
    {
        var (breakers, replicas, seconds) = (setup.Breakers, setup.Replicas, setup.Seconds);
        await using var admin = await ConnectAsync(endpoint);
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        string prefix = "scale" + Guid.NewGuid().ToString("N")[..8];
        var children = new List<Child>();
        try
        {
            var started = Stopwatch.StartNew();
            for (int i = 0; i < replicas; i++)
            {
                children.Add(Child.Start(endpoint, $"{prefix} {breakers} replica-{i + 1} {setup.Mode} {setup.Sweep}"));
            }

            foreach (var child in children)
            {
                child.Expect("ready", TimeSpan.FromMinutes(3));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{breakers:N0} breakers × {replicas} replica processes, mode {setup.Mode}, sweep {setup.Sweep} s, other options default; synced in {started.Elapsed.TotalSeconds:0.0} s; {seconds} s per phase"));
            Console.WriteLine("| phase | scripts/s (EVALSHA) | commands/s (all, incl. inside scripts) | client commands/s by kind | CPU per replica (% of a core) |");
            Console.WriteLine("| --- | --- | --- | --- | --- |");
            await MeasureAsync("idle", server, children, seconds);
            if (!setup.Busy)
            {
                return 0;
            }

            foreach (var child in children)
            {
                child.Send("busy");
                child.Expect("ok", TimeSpan.FromSeconds(10));
            }

            await Task.Delay(TimeSpan.FromSeconds(2)); // the first flushes of every breaker
            await MeasureAsync("busy", server, children, seconds);
            return 0;
        }
        finally
        {
            foreach (var child in children)
            {
                child.Dispose();
            }
        }
    }

    private static async Task MeasureAsync(string phase, IServer server, List<Child> children, int seconds)
    {
        await Task.Delay(TimeSpan.FromSeconds(2)); // settle
        await server.ConfigResetStatisticsAsync();
        var wall = Stopwatch.StartNew();
        foreach (var child in children)
        {
            child.Send("begin");
            child.Expect("ok", TimeSpan.FromSeconds(10));
        }

        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var cpu = children.Select(c =>
        {
            c.Send("end");
            return double.Parse(c.Expect("cpu ", TimeSpan.FromSeconds(10))[4..], CultureInfo.InvariantCulture);
        }).ToArray();
        var info = await server.InfoAsync("commandstats");
        double elapsed = wall.Elapsed.TotalSeconds;
        var calls = info.SelectMany(g => g).Where(kv => kv.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["cmdstat_".Length..], kv => long.Parse(kv.Value.Split(',')[0]["calls=".Length..], CultureInfo.InvariantCulture));
        foreach (string admin in new[] { "config|resetstat", "config", "info" })
        {
            calls.Remove(admin);
        }

        string[] inside = ["hgetall", "hincrby", "hmget", "time", "hset", "publish", "del", "hdel", "type"];
        string clients = string.Join(", ", calls.Where(kv => !inside.Contains(kv.Key) && !(kv.Key == "pexpire"))
            .OrderByDescending(kv => kv.Value).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value / elapsed:N0}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {phase} | {calls.GetValueOrDefault("evalsha") / elapsed:N0} | {calls.Values.Sum() / elapsed:N0} | {clients} | {string.Join(" / ", cpu.Select(c => (c * 100).ToString("0.0", CultureInfo.InvariantCulture)))} |"));
    }

    private static int Option(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static async Task<ConnectionMultiplexer> ConnectAsync(string endpoint)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync($"{endpoint},allowAdmin=true,connectTimeout=2000");
            }
            catch (RedisConnectionException) when (attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    private static Process StartRedis(out string endpoint)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        endpoint = $"127.0.0.1:{port}";
        var redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start (is it on PATH?)");
        redis.OutputDataReceived += (_, _) => { };
        redis.BeginOutputReadLine();
        return redis;
    }

    /// <summary>A replica process, line by line over stdin/stdout.</summary>
    private sealed class Child : IDisposable
    {
        private readonly Process _process;

        private Child(Process process) => _process = process;

        public static Child Start(string endpoint, string rest)
        {
            string self = Environment.ProcessPath!;
            string arguments = $"replica {endpoint} {rest}";
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                arguments = $"\"{Assembly.GetEntryAssembly()!.Location}\" {arguments}";
            }

            var process = Process.Start(new ProcessStartInfo(self, arguments)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("the replica process did not start");
            return new Child(process);
        }

        public void Send(string line) => _process.StandardInput.WriteLine(line);

        public string Expect(string prefix, TimeSpan timeout)
        {
            var read = _process.StandardOutput.ReadLineAsync();
            if (!read.Wait(timeout) || read.Result is not { } line || !line.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"replica {_process.Id}: expected '{prefix}', got '{(read.IsCompleted ? read.Result : "(nothing yet)")}'");
            }

            return line;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.WriteLine("quit");
                if (!_process.WaitForExit(10_000))
                {
                    _process.Kill();
                }
            }

            _process.Dispose();
        }
    }
}
