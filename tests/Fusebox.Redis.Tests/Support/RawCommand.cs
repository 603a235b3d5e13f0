using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fusebox.Redis.Tests.Support;

/// <summary>
/// One command to one server over a fresh loopback socket, in RESP, with no client library in between: admin steps of
/// the topology tests (CLUSTER INFO, SENTINEL ..., CLIENT KILL) must reach exactly that node, where a cluster- or
/// sentinel-aware client would discover the topology first and route (or wait for dead nodes).
/// Replies come back as text: arrays flattened one element per line, errors as "-ERR ...".
/// </summary>
internal static class RawCommand
{
    public static async Task<string> SendAsync(int port, params string[] args)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(5)); // generous: CI machines are loaded
        var stream = client.GetStream();
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            request.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await ReadAsync(reader).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Like <see cref="SendAsync"/>, for polling loops: a server that is restarting, changing role (which
    /// closes its clients) or too loaded to answer in time gives "" instead of failing the wait.</summary>
    public static async Task<string> TrySendAsync(int port, params string[] args)
    {
        try
        {
            return await SendAsync(port, args);
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException)
        {
            return "";
        }
    }

    private static async Task<string> ReadAsync(StreamReader reader)
    {
        string line = await reader.ReadLineAsync() ?? throw new IOException("connection closed");
        switch (line[0])
        {
            case '+' or ':':
                return line[1..];
            case '-':
                return line;
            case '$':
                int length = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return "";
                }

                var buffer = new char[length + 2]; // the server's replies here are ASCII: chars = bytes
                int read = 0;
                while (read < buffer.Length)
                {
                    int n = await reader.ReadAsync(buffer.AsMemory(read));
                    read += n > 0 ? n : throw new IOException("connection closed");
                }

                return new string(buffer, 0, length);
            case '*':
                int count = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
                var items = new List<string>();
                for (int i = 0; i < count; i++)
                {
                    items.Add(await ReadAsync(reader));
                }

                return string.Join('\n', items);
            default:
                throw new IOException($"unexpected reply: {line}");
        }
    }
}
