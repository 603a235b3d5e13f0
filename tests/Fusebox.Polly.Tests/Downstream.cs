using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fusebox.Polly.Tests;

/// <summary>A real Kestrel server on 127.0.0.1, port 0: answers 200 while healthy and 503 during an outage, and counts
/// the requests that reached it.</summary>
internal sealed class Downstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;
    private volatile bool _down;

    private Downstream(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public bool Down
    {
        get => _down;
        set => _down = value;
    }

    public static async Task<Downstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0"); // loopback only; Kestrel picks the port
        var downstream = new Downstream(app);
        app.Run(context =>
        {
            Interlocked.Increment(ref downstream._requests);
            context.Response.StatusCode = downstream._down ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        downstream.BaseAddress = new Uri(app.Urls.Single()); // once started, the address actually bound
        return downstream;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
