using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Fusebox.Redis.Tests.Support;

/// <summary>
/// A private <c>redis-server</c> on a free loopback port, with no persistence, started and stopped by process id.
/// Missing binary: the test fails when CI=true, and is skipped with the reason elsewhere. Topology tests pass extra
/// arguments (cluster mode, <c>--replicaof</c>) or a config file (a sentinel's, which Sentinel rewrites).
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly string[] s_searchPath = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/opt/homebrew/bin"];
    private readonly string _binary;
    private readonly string _dir;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly string? _configFile;
    private Process? _process;

    private RedisServer(string binary, int port, IReadOnlyList<string>? extraArgs = null, Func<int, string>? config = null)
    {
        _binary = binary;
        Port = port;
        _extraArgs = extraArgs ?? [];
        _dir = Directory.CreateTempSubdirectory("fusebox-redis-").FullName;
        if (config is not null)
        {
            _configFile = Path.Combine(_dir, "redis.conf");
            File.WriteAllText(_configFile, config(port));
        }
    }

    /// <summary>The server's working directory (its nodes.conf in cluster mode): kept across <see cref="RestartAsync"/>.</summary>
    public string DataDirectory => _dir;

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>A connection string for coordinators: fast connect and fail-fast defaults for tests.</summary>
    public string ConnectionString => $"{Endpoint},connectTimeout=2000,connectRetry=1";

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public static string? FindBinary(string name = "redis-server")
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(s_searchPath);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    /// <summary>Fails (CI=true) or skips (elsewhere) when redis-server (or <paramref name="name"/>: redis-cli, which
    /// the same apt package installs) is not installed.</summary>
    public static string RequireBinary(string name = "redis-server")
    {
        var binary = FindBinary(name);
        if (binary is not null)
        {
            return binary;
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{name} is not installed, and CI=true requires it: apt-get install redis-server.");
        }

        Assert.Skip($"{name} is not installed (apt-get install redis-server); these tests need a real Redis. With CI=true this is a failure.");
        return null!;
    }

    /// <summary>Starts a server on a free port.</summary>
    /// <param name="extraArgs">Appended to the command line (after the defaults, so they win).</param>
    /// <param name="config">The text of a config file given the port (passed first, as redis-server wants it), or null.</param>
    public static async Task<RedisServer> StartAsync(IReadOnlyList<string>? extraArgs = null, Func<int, string>? config = null)
    {
        var binary = RequireBinary();
        for (int attempt = 0; ; attempt++)
        {
            var server = new RedisServer(binary, FreePort(), extraArgs, config);
            try
            {
                await server.StartProcessAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 4)
            {
                await server.DisposeAsync(); // the port was taken in between: try another
            }
        }
    }

    /// <summary>Starts a server on a given port (e.g. one that replicas were already told about).</summary>
    public static async Task<RedisServer> StartOnPortAsync(int port)
    {
        var server = new RedisServer(RequireBinary(), port);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>A port nobody listens on (for "Redis down from the start").</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Kills the server (SIGKILL, by process id) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (_process is { } p)
        {
            using var byId = Process.GetProcessById(p.Id);
            byId.Kill();
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            p.Dispose();
            _process = null;
        }
    }

    /// <summary>Starts the server again on the same port (empty: there is no persistence).</summary>
    public Task RestartAsync() => StartProcessAsync();

    /// <summary>The server's clock (<c>TIME</c>) in Unix milliseconds: what the scripts compute breaks and buckets from.</summary>
    public static async Task<long> ServerNowMsAsync(IDatabase db)
    {
        var time = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1000 + (long)time[1] / 1000;
    }

    public async Task<ConnectionMultiplexer> ConnectAdminAsync() =>
        await ConnectionMultiplexer.ConnectAsync($"{Endpoint},allowAdmin=true,connectTimeout=2000");

    private async Task StartProcessAsync()
    {
        var psi = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        if (_configFile is not null)
        {
            psi.ArgumentList.Add(_configFile);
        }

        foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--protected-mode", "no", "--daemonize", "no", "--dir", _dir,
                     "--enable-debug-command", "local" })
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-server did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                string log;
                lock (output)
                {
                    log = output.ToString();
                }

                throw new InvalidOperationException($"redis-server exited at start-up ({process.ExitCode}): {log}");
            }

            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"redis-server did not answer on port {Port} within 10 s");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            int n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, n).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or TimeoutException)
        {
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
