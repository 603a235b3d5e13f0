using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Checkout.Redis;

/// <summary>A throw-away <c>redis-server</c> on a free loopback port with no persistence, for <c>--redis</c> without a connection string.</summary>
public sealed class LocalRedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private LocalRedisServer(Process process, int port)
    {
        _process = process;
        ConnectionString = $"127.0.0.1:{port},connectTimeout=2000";
    }

    public string ConnectionString { get; }

    public static async Task<LocalRedisServer> StartAsync()
    {
        string binary = FindBinary()
            ?? throw new InvalidOperationException("--redis without a connection string starts a local redis-server, but none is installed (apt-get install redis-server).");
        int port = FreePort();
        var process = Process.Start(new ProcessStartInfo(binary)
        {
            ArgumentList = { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server did not start.");
        var server = new LocalRedisServer(process, port);
        for (int i = 0; i < 100; i++) // up to 5 s for the port to accept connections
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        await server.DisposeAsync();
        throw new InvalidOperationException($"redis-server did not listen on port {port} within 5 s.");
    }

    /// <summary>The <c>redis-server</c> on the PATH or in the usual places; null when it is not installed.</summary>
    public static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/sbin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, "redis-server"))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
