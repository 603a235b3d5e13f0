using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;

namespace Fusebox.Grpc.Tests;

/// <summary>Which statuses count as failures, and that gRPC's own retries stay inside the breaker.</summary>
public sealed class ClassificationTests
{
    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.DeadlineExceeded)]
    [InlineData(StatusCode.ResourceExhausted)]
    [InlineData(StatusCode.Internal)]
    [InlineData(StatusCode.Unknown)]
    public async Task The_default_failure_statuses_count_as_failures(StatusCode code)
    {
        var s = await OutcomeOfOneCallAsync(code);

        Assert.Equal((0, 1, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Theory]
    [InlineData(StatusCode.NotFound)]
    [InlineData(StatusCode.InvalidArgument)]
    [InlineData(StatusCode.PermissionDenied)]
    [InlineData(StatusCode.FailedPrecondition)]
    [InlineData(StatusCode.Unimplemented)]
    public async Task Other_statuses_mean_the_service_answered(StatusCode code)
    {
        var s = await OutcomeOfOneCallAsync(code);

        Assert.Equal((1, 0, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    [Fact]
    public async Task Cancelled_from_the_server_is_ignored_unless_listed()
    {
        var s = await OutcomeOfOneCallAsync(StatusCode.Cancelled);
        var listed = await OutcomeOfOneCallAsync(StatusCode.Cancelled, o => o.FailureStatusCodes.Add(StatusCode.Cancelled));

        Assert.Equal((0, 0, 1), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
        Assert.Equal((0, 1, 0), (listed.SuccessfulCalls, listed.FailedCalls, listed.IgnoredCalls));
    }

    [Fact]
    public async Task FailureStatusCodes_replaces_the_default_set()
    {
        var notFound = await OutcomeOfOneCallAsync(StatusCode.NotFound, o => o.FailureStatusCodes = new HashSet<StatusCode> { StatusCode.NotFound });
        var unavailable = await OutcomeOfOneCallAsync(StatusCode.Unavailable, o => o.FailureStatusCodes = new HashSet<StatusCode> { StatusCode.NotFound });

        Assert.Equal(1, notFound.FailedCalls);
        Assert.Equal(1, unavailable.SuccessfulCalls);
    }

    [Fact]
    public async Task ShouldHandle_decides_instead_of_the_set_and_sees_the_status()
    {
        RpcException? seen = null;
        var s = await OutcomeOfOneCallAsync(StatusCode.NotFound, o => o.ShouldHandle = ex => (seen = ex).StatusCode == StatusCode.NotFound);

        Assert.Equal(1, s.FailedCalls);
        Assert.Equal("scripted failure", seen!.Status.Detail);
    }

    [Fact]
    public async Task A_streaming_call_counts_once_with_its_final_status_after_its_messages()
    {
        await using var h = await ClientHarness.StartAsync();
        h.Script.FailWith = StatusCode.Internal;
        using var call = h.Probe.ServerStream(new Protos.Ping { Count = 2 });

        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(0, h.ProbeBreaker.Snapshot().TotalCalls); // messages say nothing yet: the call is not over
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((0, 1, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls));
    }

    // The scripted streams send their messages before failing, and gRPC commits a call once a response message has
    // arrived (no retry after that), so the retried kinds are those whose failure comes before any response.
    [Theory]
    [InlineData(CallKind.Blocking)]
    [InlineData(CallKind.Unary)]
    [InlineData(CallKind.ClientStreaming)]
    public async Task Grpc_retries_stay_inside_the_breaker(CallKind kind)
    {
        var retry = new MethodConfig
        {
            Names = { MethodName.Default },
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 3,
                InitialBackoff = TimeSpan.FromMilliseconds(1),
                MaxBackoff = TimeSpan.FromMilliseconds(1),
                BackoffMultiplier = 1,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        await using var h = await ClientHarness.StartAsync(channelOptions: new GrpcChannelOptions { ServiceConfig = new ServiceConfig { MethodConfigs = { retry } } });
        h.Script.FailWith = StatusCode.Unavailable;
        h.Script.FailFirst = 2;

        await h.CallAsync(kind);

        Assert.Equal(3, h.Script.TotalCalls); // two failed attempts and the one that worked
        var s = h.ProbeBreaker.Snapshot();
        Assert.Equal((1, 0, 0), (s.SuccessfulCalls, s.FailedCalls, s.IgnoredCalls)); // one logical call
    }

    [Fact]
    public async Task A_deadline_exceeded_is_a_timeout_in_the_breaker_statistics()
    {
        await using var h = await ClientHarness.StartAsync();
        var options = ClientHarness.DefaultBreakerOptions();
        options.CollectStatistics = true;
        h.Registry.GetOrAdd(ClientHarness.ProbeBreakerName, options);
        h.Script.FailWith = StatusCode.DeadlineExceeded;

        var thrown = await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(CallKind.Unary));

        // The caller still gets gRPC's own exception; before, the breaker recorded it as a plain exception failure.
        Assert.Equal(StatusCode.DeadlineExceeded, thrown.StatusCode);
        var statistics = h.ProbeBreaker.Snapshot().Statistics!;
        Assert.Equal((1L, 1L, FailureKind.Timeout), (statistics.Failures, statistics.Timeouts, statistics.LastFailure!.Kind));
    }

    private static async Task<CircuitSnapshot> OutcomeOfOneCallAsync(StatusCode code, Action<FuseboxGrpcInterceptorOptions>? configure = null)
    {
        await using var h = await ClientHarness.StartAsync(configure);
        h.Script.FailWith = code;

        var thrown = await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(CallKind.Unary));

        Assert.Equal(code, thrown.StatusCode);
        return h.ProbeBreaker.Snapshot();
    }
}
