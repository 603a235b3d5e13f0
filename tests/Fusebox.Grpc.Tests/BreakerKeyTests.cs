using Fusebox.Grpc.Tests.Protos;
using Grpc.Core;

namespace Fusebox.Grpc.Tests;

/// <summary>Which breaker guards a call: per service or per method, from the registry on every call.</summary>
public sealed class BreakerKeyTests
{
    [Fact]
    public async Task Per_service_an_outage_of_one_service_leaves_the_other_alone()
    {
        await using var h = await ClientHarness.StartAsync();
        h.Script.FailWith = StatusCode.Unavailable;
        h.Script.FailFirst = 3;
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(CallKind.Unary));
        }

        // Every method of the service shares its breaker: the stream is rejected too, without a call.
        await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(CallKind.ServerStreaming));
        Assert.Equal(0, h.Script.CallsOf("Probe/ServerStream"));

        Assert.Equal(7, (await h.Other.UnaryAsync(new Ping { Count = 7 })).Value);
        Assert.Equal(1, h.Script.CallsOf("Other/Unary"));
        Assert.Equal(BreakerState.Closed, h.Registry.GetOrAdd("grpc/fusebox.test.Other").State);
    }

    [Fact]
    public async Task Per_method_an_outage_of_one_method_leaves_the_others_of_its_service_alone()
    {
        await using var h = await ClientHarness.StartAsync(o => o.Scope = GrpcBreakerScope.PerMethod);
        h.Script.FailWith = StatusCode.Unavailable;
        h.Script.FailFirst = 3;
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(CallKind.Unary));
        }

        Assert.Equal(BreakerState.Open, h.Registry.GetOrAdd("grpc/fusebox.test.Probe/Unary").State);
        var rejection = await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(CallKind.Unary));
        Assert.Equal("grpc/fusebox.test.Probe/Unary", rejection.Trailers.GetValue(FuseboxGrpcRejection.BreakerTrailer));

        Assert.Equal(2, await h.CallAsync(CallKind.ServerStreaming));
        Assert.Equal(1, h.Script.CallsOf("Probe/ServerStream"));
        Assert.False(h.Registry.TryGet(ClientHarness.ProbeBreakerName, out _)); // no per-service breaker was made
    }

    [Theory]
    [InlineData(GrpcBreakerScope.PerService, "grpc/pkg.Svc")]
    [InlineData(GrpcBreakerScope.PerMethod, "grpc/pkg.Svc/Do")]
    public void Breaker_names_follow_the_scope(GrpcBreakerScope scope, string expected)
    {
        using var registry = new CircuitBreakerRegistry();
        var interceptor = new FuseboxGrpcInterceptor(registry, new FuseboxGrpcInterceptorOptions { Scope = scope });
        var method = new Method<string, string>(MethodType.DuplexStreaming, "pkg.Svc", "Do", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

        Assert.Equal(expected, interceptor.BreakerNameFor(method));
        Assert.Same(interceptor.BreakerNameFor(method), interceptor.BreakerNameFor(method)); // built once
        Assert.Equal(expected, interceptor.BreakerFor(method).Name);
    }

    [Fact]
    public async Task BreakerName_is_the_prefix_of_every_breaker()
    {
        await using var h = await ClientHarness.StartAsync(o => o.BreakerName = "payments");

        await h.CallAsync(CallKind.Unary);

        Assert.Equal(["payments/fusebox.test.Probe"], h.Registry.Report().Select(s => s.Name));
    }

    [Fact]
    public async Task A_breaker_the_registry_dropped_is_never_used_again()
    {
        await using var h = await ClientHarness.StartAsync();
        await h.CallAsync(CallKind.Unary);
        var first = h.ProbeBreaker;

        // Evicted (or removed by an operator): the next call takes the registry's new breaker, so isolating that one
        // stops the traffic, and the old one sees nothing more.
        Assert.True(h.Registry.Remove(ClientHarness.ProbeBreakerName));
        await h.CallAsync(CallKind.Unary);
        var second = h.ProbeBreaker;
        second.Isolate();
        await Assert.ThrowsAsync<RpcException>(() => h.CallAsync(CallKind.Unary));

        Assert.NotSame(first, second);
        Assert.Equal(1, first.Snapshot().TotalCalls);
        Assert.Equal((1, 1), (second.Snapshot().SuccessfulCalls, second.Snapshot().RejectedCalls));
        Assert.Equal(2, h.Script.TotalCalls);
    }

    [Fact]
    public async Task A_full_registry_fails_the_call_as_ResourceExhausted_without_sending_it()
    {
        await using var h = await ClientHarness.StartAsync(maxBreakers: 1);
        await h.CallAsync(CallKind.Unary); // the Probe breaker fills the registry

        var error = await Assert.ThrowsAsync<RpcException>(() => h.Other.UnaryAsync(new Ping()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("'grpc/fusebox.test.Other'", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("MaxBreakers = 1", error.Status.Detail, StringComparison.Ordinal);
        Assert.False(FuseboxGrpcRejection.IsRejection(error, out _, out _)); // not a breaker's rejection
        Assert.Equal(0, h.Script.CallsOf("Other/Unary"));
        Assert.Equal(1, h.Registry.Count);
    }
}
