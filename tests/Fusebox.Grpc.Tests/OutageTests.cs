using Grpc.Core;

namespace Fusebox.Grpc.Tests;

/// <summary>Outage opens the breaker, rejections cost no network call, recovery closes it: for every call kind.</summary>
public sealed class OutageTests
{
    public static TheoryData<CallKind> Kinds => new(Enum.GetValues<CallKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_healthy_call_counts_one_success(CallKind kind)
    {
        await using var h = await ClientHarness.StartAsync();

        int value = await h.CallAsync(kind);

        Assert.Equal(kind == CallKind.ServerStreaming ? 2 : 7, value); // 2 messages read; 7 = echo or 3 + 4
        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((1, 0, 0, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls, s.RejectedCalls));
        Assert.Equal(1, h.Script.TotalCalls);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task An_outage_opens_the_breaker_and_rejections_are_not_sent(CallKind kind)
    {
        await using var h = await ClientHarness.StartAsync();
        h.Script.FailWith = StatusCode.Unavailable;

        for (int i = 0; i < 3; i++)
        {
            var failure = await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(kind));
            Assert.Equal("scripted failure", failure.Status.Detail);
        }

        Assert.Equal(BreakerState.Open, h.ProbeBreaker.State);
        Assert.Equal(3, h.Script.TotalCalls);

        var rejection = await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(kind));

        Assert.Equal(StatusCode.Unavailable, rejection.StatusCode);
        Assert.Equal($"Circuit breaker '{ClientHarness.ProbeBreakerName}' is open; the call was not sent.", rejection.Status.Detail);
        Assert.Equal(ClientHarness.ProbeBreakerName, rejection.Trailers.GetValue(FuseboxGrpcRejection.BreakerTrailer));
        Assert.Equal("open", rejection.Trailers.GetValue(FuseboxGrpcRejection.StateTrailer));
        Assert.Equal("30000", rejection.Trailers.GetValue(FuseboxGrpcRejection.RetryAfterTrailer));
        Assert.True(FuseboxGrpcRejection.IsRejection(rejection, out var name, out var retryAfter));
        Assert.Equal((ClientHarness.ProbeBreakerName, TimeSpan.FromSeconds(30)), (name, retryAfter));
        Assert.Equal(3, h.Script.TotalCalls); // nothing reached the server
        Assert.Equal(1, h.ProbeBreaker.Snapshot().RejectedCalls);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task After_the_break_a_successful_probe_closes_the_breaker(CallKind kind)
    {
        await using var h = await ClientHarness.StartAsync();
        await h.OpenAsync(kind);
        h.Time.Advance(TimeSpan.FromSeconds(29));
        var early = await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(kind));
        Assert.Equal("1000", early.Trailers.GetValue(FuseboxGrpcRejection.RetryAfterTrailer));
        Assert.Equal(3, h.Script.TotalCalls);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.CallAsync(kind);

        Assert.Equal(BreakerState.Closed, h.ProbeBreaker.State);
        Assert.Equal(4, h.Script.TotalCalls);
    }

    [Fact]
    public async Task A_rejected_async_call_fails_where_a_real_failure_would_not_when_it_is_made()
    {
        await using var h = await ClientHarness.StartAsync();
        h.ProbeBreaker.Isolate();

        // Making the calls does not throw: the rejection is in the call objects, as a failure from the wire would be.
        using var unary = h.Probe.UnaryAsync(new Protos.Ping());
        using var stream = h.Probe.ServerStream(new Protos.Ping());
        using var client = h.Probe.ClientStream();
        using var duplex = h.Probe.Duplex();

        var fromUnary = await Assert.ThrowsAsync<RpcException>(() => unary.ResponseAsync);
        Assert.Equal("isolated", fromUnary.Trailers.GetValue(FuseboxGrpcRejection.StateTrailer));
        Assert.Null(fromUnary.Trailers.Get(FuseboxGrpcRejection.RetryAfterTrailer)); // an operator holds it: no known end
        Assert.Equal(StatusCode.Unavailable, unary.GetStatus().StatusCode);
        Assert.Same(fromUnary.Trailers, unary.GetTrailers());
        await Assert.ThrowsAsync<RpcException>(() => unary.ResponseHeadersAsync);
        await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        await Assert.ThrowsAsync<RpcException>(() => client.RequestStream.WriteAsync(new Protos.Ping()));
        await Assert.ThrowsAsync<RpcException>(() => client.ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() => duplex.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, h.Script.TotalCalls);
        Assert.Equal(4, h.ProbeBreaker.Snapshot().RejectedCalls);
    }
}
