using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fusebox.Http.Tests;

/// <summary>How the fake dependency answers.</summary>
public enum Behavior
{
    Ok,
    ServerError,
    Unavailable,
    TooManyRequests,
    RequestTimeout,
    NotFound,
    Hang,
    Reset,
}

/// <summary>A real Kestrel server on 127.0.0.1 with an ephemeral port that answers as told and counts requests.</summary>
public sealed class DependencyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private DependencyServer(WebApplication app) => _app = app;

    public Behavior Behavior { get; set; } = Behavior.Ok;

    /// <summary>The behavior applies to this many requests; later ones are answered OK.</summary>
    public int FailFirst { get; set; } = int.MaxValue;

    /// <summary>The <c>Retry-After</c> value a 503 carries: seconds or an HTTP date. Default "7".</summary>
    public string RetryAfter { get; set; } = "7";

    /// <summary>The bodies of requests that had one, in arrival order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Bodies { get; } = new();

    public int Requests => Volatile.Read(ref _requests);

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<DependencyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new DependencyServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        int n = Interlocked.Increment(ref _requests);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var reader = new StreamReader(context.Request.Body);
            Bodies.Enqueue(await reader.ReadToEndAsync());
        }

        switch (n <= FailFirst ? Behavior : Behavior.Ok)
        {
            case Behavior.ServerError:
                context.Response.StatusCode = 500;
                break;
            case Behavior.Unavailable:
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = RetryAfter;
                break;
            case Behavior.TooManyRequests:
                context.Response.StatusCode = 429;
                break;
            case Behavior.RequestTimeout:
                context.Response.StatusCode = 408;
                break;
            case Behavior.NotFound:
                context.Response.StatusCode = 404;
                break;
            case Behavior.Hang:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            case Behavior.Reset:
                context.Abort();
                return;
            default:
                await context.Response.WriteAsync("ok");
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stopTimeout.Token);
        await _app.DisposeAsync();
    }
}
