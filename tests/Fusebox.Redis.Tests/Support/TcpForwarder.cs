using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Fusebox.Redis.Tests.Support;

/// <summary>
/// A loopback TCP forwarder in front of one port, to partition a replica from Redis while the others keep reaching it:
/// the replica connects to <see cref="Endpoint"/> (127.0.0.1, a port of its own) and every byte is copied to and from
/// the target port. <see cref="Cut"/> closes every forwarded connection and closes each new one as soon as it is
/// accepted (the client sees its connection drop, exactly as when a link fails), until <see cref="Heal"/>. Every loop
/// ends when its connection closes or the forwarder is disposed.
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly Task _accepting;
    private volatile bool _cut;
    private int _refused;

    public TcpForwarder(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Connections accepted and closed at once while cut (the client's reconnection attempts).</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Partitions: drops every forwarded connection, and every new one until <see cref="Heal"/>.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var link in _links.Keys)
        {
            link.Close();
        }
    }

    /// <summary>Ends the partition: new connections are forwarded again (the client reconnects by itself).</summary>
    public void Heal() => _cut = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return; // disposed
            }

            if (_cut)
            {
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }

            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        var target = new TcpClient();
        var link = new Link(client, target);
        _links[link] = 0;
        try
        {
            await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            if (_cut)
            {
                return; // cut while connecting
            }

            // Either direction ending (a close, a cut, a reset) ends both: a half-open link is not a partition's behaviour.
            await Task.WhenAny(CopyAsync(client, target), CopyAsync(target, client));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            _links.TryRemove(link, out _);
            link.Close();
        }
    }

    private async Task CopyAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var link in _links.Keys)
        {
            link.Close();
        }

        _stop.Dispose();
    }

    private sealed class Link(TcpClient client, TcpClient target)
    {
        public void Close()
        {
            client.Dispose();
            target.Dispose();
        }
    }
}
