using Fusebox.Grpc.Tests.Protos;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Fusebox.Grpc.Tests;

/// <summary>The caller giving up (its token, or disposing the call) says nothing about the service: the permit is
/// released, never counted as a failure, and a half-open probe slot becomes free at once.</summary>
public sealed class CancellationAndDisposeTests
{
    // Bounds a wait for the server to see a call; only a broken test gets near it.
    private static readonly TimeSpan ArrivalBound = TimeSpan.FromSeconds(30);

    public static TheoryData<CallKind> Kinds => new(Enum.GetValues<CallKind>());

    public static TheoryData<CallKind> AsyncKinds => new(Enum.GetValues<CallKind>().Where(k => k != CallKind.Blocking));

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Cancellation_by_the_callers_token_is_ignored(CallKind kind)
    {
        await using var h = await ClientHarness.StartAsync(o => o.FailureStatusCodes.Add(StatusCode.Cancelled));
        h.Script.Hold = true;
        using var cts = new CancellationTokenSource();

        var call = h.CallAsync(kind, cts.Token);
        Assert.True(await h.Script.Arrived.WaitAsync(ArrivalBound));
        cts.Cancel();
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => call);

        Assert.True(thrown is OperationCanceledException || thrown is RpcException { StatusCode: StatusCode.Cancelled }, thrown.ToString());
        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((0, 0, 1), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls)); // even with Cancelled in the failure set
    }

    [Fact]
    public async Task Cancelling_a_read_of_the_response_stream_is_ignored()
    {
        await using var h = await ClientHarness.StartAsync();
        h.Script.HoldAtEnd = true;
        using var call = h.Probe.ServerStream(new Ping { Count = 1 });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        using var cts = new CancellationTokenSource();

        var read = call.ResponseStream.MoveNext(cts.Token);
        Assert.True(await h.Script.Arrived.WaitAsync(ArrivalBound));
        cts.Cancel();

        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => read)).StatusCode);
        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((0, 0, 1), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Theory]
    [MemberData(nameof(AsyncKinds))]
    public async Task Disposing_a_running_call_without_reading_releases_the_probe_slot(CallKind kind)
    {
        await using var h = await ClientHarness.StartAsync();
        await OpenThenWaitOutTheBreakAsync(h);
        h.Script.Hold = true;

        var call = Start(h, kind);
        Assert.True(await h.Script.Arrived.WaitAsync(ArrivalBound));
        Assert.Equal((BreakerState.HalfOpen, 0), (h.ProbeBreaker.State, h.ProbeBreaker.Snapshot().FreeProbeSlots));
        call.Dispose();

        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((1, 0, 3, 1), (s.FreeProbeSlots, s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));

        // The slot is free now, not after ProbeTimeout (fake time does not move): the next probe goes through and closes.
        h.Script.Hold = false;
        await h.CallAsync(kind);
        Assert.Equal(BreakerState.Closed, h.ProbeBreaker.State);
    }

    [Fact]
    public async Task Leaving_a_stream_early_by_disposing_it_is_ignored()
    {
        await using var h = await ClientHarness.StartAsync();
        h.Script.HoldAtEnd = true; // the stream's end is not in flight when the caller leaves

        using (var call = h.Probe.ServerStream(new Ping { Count = 3 }))
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        }

        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((0, 0, 1), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Fact]
    public async Task A_call_that_ended_before_the_caller_read_it_counts_its_status_when_disposed()
    {
        await using var h = await ClientHarness.StartAsync(o => o.FailureStatusCodes.Add(StatusCode.Unimplemented));
        var client = new Unmapped.UnmappedClient(h.Channel.Intercept(h.Interceptor));

        using (var call = client.Stream(new Ping()))
        {
            // A trailers-only answer (the status in the headers, as a proxy or an unknown service gives), and a caller
            // that looks at the headers only. gRPC sets the status just after the headers task completes (on another
            // thread): wait for that event, bounded, before disposing.
            await call.ResponseHeadersAsync;
            for (int i = 0; i < 3000 && !HasStatus(call); i++)
            {
                await Task.Delay(10);
            }

            Assert.Equal(StatusCode.Unimplemented, call.GetStatus().StatusCode);
        }

        var s = h.Registry.GetOrAdd("grpc/fusebox.test.Unmapped").Snapshot();
        Assert.Equal((0, 1, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Fact]
    public async Task Disposing_after_reading_to_the_end_reports_nothing_more()
    {
        await using var h = await ClientHarness.StartAsync();

        await h.CallAsync(CallKind.ServerStreaming); // reads to the end, then disposes

        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((1, 0, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    private static bool HasStatus(AsyncServerStreamingCall<Pong> call)
    {
        try
        {
            call.GetStatus();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task OpenThenWaitOutTheBreakAsync(ClientHarness h)
    {
        await h.OpenAsync();
        h.Time.Advance(TimeSpan.FromSeconds(30));
    }

    private static IDisposable Start(ClientHarness h, CallKind kind) => kind switch
    {
        CallKind.Unary => h.Probe.UnaryAsync(new Ping()),
        CallKind.ServerStreaming => h.Probe.ServerStream(new Ping { Count = 1 }),
        CallKind.ClientStreaming => h.Probe.ClientStream(),
        CallKind.Duplex => h.Probe.Duplex(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
