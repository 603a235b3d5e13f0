using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Checkout.Scenario;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Checkout.Fraud;

/// <summary>
/// The fraud-detection service, simulated on real Kestrel at 127.0.0.1 with an ephemeral port. It follows the
/// scripted phases from the moment <see cref="Start"/> is called, and counts the calls in flight so the report can
/// show how many connections and threads the payment service tied up.
/// </summary>
public sealed class FraudSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly PhaseSchedule _schedule;
    private readonly TimeSpan _hang;
    private long _startedAt;
    private int _inFlight;
    private int _peakInFlight;
    private int _calls;
    private readonly ConcurrentDictionary<string, ReplicaCalls> _callsByReplica = new(StringComparer.Ordinal);

    private FraudSimulator(WebApplication app, PhaseSchedule schedule, TimeSpan hang)
    {
        _app = app;
        _schedule = schedule;
        _hang = hang;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public int Calls => Volatile.Read(ref _calls);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    /// <summary>Calls made since <see cref="Start"/> by one payment replica (its <c>X-Replica</c> header).</summary>
    public int CallsFrom(string replica) => _callsByReplica.TryGetValue(replica, out var n) ? Volatile.Read(ref n.All) : 0;

    /// <summary>Calls made during the outage phases by one payment replica.</summary>
    public int OutageCallsFrom(string replica) => _callsByReplica.TryGetValue(replica, out var n) ? Volatile.Read(ref n.DuringOutage) : 0;

    public Phase CurrentPhase => _schedule.At(Elapsed);

    public TimeSpan Elapsed => _startedAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_startedAt);

    /// <param name="schedule">The phases.</param>
    /// <param name="hang">How long a request hangs in the timeout phase.</param>
    public static async Task<FraudSimulator> StartAsync(PhaseSchedule schedule, TimeSpan hang)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, 0);
            o.Limits.MaxConcurrentConnections = null;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var simulator = new FraudSimulator(app, schedule, hang);
        app.MapGet("/check/{transactionId}", (string transactionId, HttpContext context) => simulator.CheckAsync(transactionId, context));
        await app.StartAsync();
        simulator.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
        return simulator;
    }

    /// <summary>Starts the scripted clock; calls and peak concurrency are counted from here (warm-up excluded).</summary>
    public void Start()
    {
        Volatile.Write(ref _calls, 0);
        Volatile.Write(ref _peakInFlight, Volatile.Read(ref _inFlight));
        _startedAt = Stopwatch.GetTimestamp();
    }

    private async Task<IResult> CheckAsync(string transactionId, HttpContext context)
    {
        var aborted = context.RequestAborted;
        var phase = CurrentPhase;
        Interlocked.Increment(ref _calls);
        if (_startedAt != 0 && context.Request.Headers[Admin.PaymentHost.ReplicaHeader] is [{ } replica])
        {
            var calls = _callsByReplica.GetOrAdd(replica, static _ => new ReplicaCalls());
            Interlocked.Increment(ref calls.All);
            if (PhaseSchedule.IsOutage(phase))
            {
                Interlocked.Increment(ref calls.DuringOutage);
            }
        }

        int now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak)
        {
        }

        try
        {
            switch (phase)
            {
                case Phase.Timeouts:
                    await Task.Delay(_hang, aborted).ContinueWith(static _ => { }, TaskScheduler.Default);
                    return Results.StatusCode(StatusCodes.Status504GatewayTimeout);
                case Phase.Errors:
                    await Task.Delay(5, aborted).ContinueWith(static _ => { }, TaskScheduler.Default);
                    return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
                default:
                    await Task.Delay(3, aborted).ContinueWith(static _ => { }, TaskScheduler.Default);
                    return Results.Ok(new { transactionId, fraudulent = false });
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private sealed class ReplicaCalls
    {
        public int All;
        public int DuringOutage;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
