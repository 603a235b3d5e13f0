using System.Collections.Concurrent;
using System.Net;
using Fusebox.Grpc.Tests.Protos;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fusebox.Grpc.Tests;

/// <summary>How the services answer, and what they saw. Set by the test before it makes calls.</summary>
public sealed class ProbeScript
{
    private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>The status calls end with after their messages; OK for a healthy service.</summary>
    public StatusCode FailWith { get; set; } = StatusCode.OK;

    /// <summary><see cref="FailWith"/> applies to this many calls (counted over all methods); later ones succeed.</summary>
    public int FailFirst { get; set; } = int.MaxValue;

    /// <summary>Calls wait, after <see cref="Arrived"/>, until the client cancels them.</summary>
    public bool Hold { get; set; }

    /// <summary>A server stream, after its messages, waits (after <see cref="Arrived"/>) until the client cancels it.</summary>
    public bool HoldAtEnd { get; set; }

    /// <summary>Released once by every held call when it has arrived.</summary>
    public SemaphoreSlim Arrived { get; } = new(0);

    /// <summary>Calls that reached the server, over all methods.</summary>
    public int TotalCalls => Volatile.Read(ref _total);

    /// <summary>Calls of one method ("Probe/Unary", "Other/Unary", ...) that reached the server.</summary>
    public int CallsOf(string method) => _calls.TryGetValue(method, out int n) ? n : 0;

    /// <summary>Counts the call, holds it if told to, and returns its number.</summary>
    public async Task<int> EnterAsync(string method, ServerCallContext context)
    {
        _calls.AddOrUpdate(method, 1, static (_, n) => n + 1);
        int number = Interlocked.Increment(ref _total);
        if (Hold)
        {
            await WaitForClientAsync(context);
        }

        return number;
    }

    /// <summary>Signals <see cref="Arrived"/>, then waits until the client gives up on the call.</summary>
    public async Task WaitForClientAsync(ServerCallContext context)
    {
        Arrived.Release();
        await Task.Delay(Timeout.Infinite, context.CancellationToken);
    }

    /// <summary>Ends the call with <see cref="FailWith"/> when call <paramref name="number"/> is scripted to fail.</summary>
    public void FailIfScripted(int number)
    {
        if (FailWith != StatusCode.OK && number <= FailFirst)
        {
            throw new RpcException(new Status(FailWith, "scripted failure"));
        }
    }
}

public sealed class ProbeService(ProbeScript script) : Probe.ProbeBase
{
    public override async Task<Pong> Unary(Ping request, ServerCallContext context)
    {
        script.FailIfScripted(await script.EnterAsync("Probe/Unary", context));
        return new Pong { Value = request.Count };
    }

    public override async Task ServerStream(Ping request, IServerStreamWriter<Pong> responseStream, ServerCallContext context)
    {
        int number = await script.EnterAsync("Probe/ServerStream", context);
        for (int i = 0; i < request.Count; i++)
        {
            await responseStream.WriteAsync(new Pong { Value = i });
        }

        if (script.HoldAtEnd)
        {
            await script.WaitForClientAsync(context);
        }

        script.FailIfScripted(number);
    }

    public override async Task<Pong> ClientStream(IAsyncStreamReader<Ping> requestStream, ServerCallContext context)
    {
        int number = await script.EnterAsync("Probe/ClientStream", context);
        int sum = 0;
        await foreach (var ping in requestStream.ReadAllAsync(context.CancellationToken))
        {
            sum += ping.Count;
        }

        script.FailIfScripted(number);
        return new Pong { Value = sum };
    }

    public override async Task Duplex(IAsyncStreamReader<Ping> requestStream, IServerStreamWriter<Pong> responseStream, ServerCallContext context)
    {
        int number = await script.EnterAsync("Probe/Duplex", context);
        await foreach (var ping in requestStream.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new Pong { Value = ping.Count });
        }

        script.FailIfScripted(number);
    }
}

public sealed class OtherService(ProbeScript script) : Other.OtherBase
{
    public override async Task<Pong> Unary(Ping request, ServerCallContext context)
    {
        script.FailIfScripted(await script.EnterAsync("Other/Unary", context));
        return new Pong { Value = request.Count };
    }
}

/// <summary>A real gRPC server: Kestrel on 127.0.0.1, an ephemeral port, HTTP/2 without TLS.</summary>
public sealed class ProbeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProbeServer(WebApplication app, ProbeScript script)
    {
        _app = app;
        Script = script;
    }

    public ProbeScript Script { get; }

    public Uri Address { get; private set; } = null!;

    public static async Task<ProbeServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        var script = new ProbeScript();
        builder.Services.AddSingleton(script);
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<ProbeService>();
        app.MapGrpcService<OtherService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ProbeServer(app, script) { Address = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
