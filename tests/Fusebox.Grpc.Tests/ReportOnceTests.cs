using Grpc.Core;

namespace Fusebox.Grpc.Tests;

/// <summary>Drives the race ObservedCall's claim decides: the response completing on one thread while the caller
/// disposes the call on another. Exactly one outcome per call, and never the permit's double-report exception.</summary>
public sealed class ReportOnceTests
{
    [Fact]
    public async Task A_response_racing_a_dispose_is_reported_exactly_once()
    {
        const int Calls = 2000; // bounded
        using var registry = new CircuitBreakerRegistry(new CircuitBreakerRegistryOptions
        {
            DefaultOptions = new CircuitBreakerOptions { TripPolicy = TripPolicy.ConsecutiveFailures(int.MaxValue) },
        });
        var breaker = registry.GetOrAdd("race");
        var classifier = new GrpcOutcomeClassifier(new FuseboxGrpcInterceptorOptions());

        for (int i = 0; i < Calls; i++)
        {
            Assert.True(breaker.TryAcquire(out var permit));
            var response = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            bool finished = false;
            var inner = new AsyncUnaryCall<int>(
                response.Task,
                Task.FromResult(new Metadata()),
                // As gRPC does: no status until the call is over.
                () => Volatile.Read(ref finished) ? Status.DefaultSuccess : throw new InvalidOperationException("not complete"),
                () => new Metadata(),
                () => { });
            var call = new ObservedUnaryCall<int>(inner, permit, classifier, CancellationToken.None).ToCall();

            var complete = Task.Run(() =>
            {
                Volatile.Write(ref finished, true);
                response.SetResult(i);
            });
            var dispose = Task.Run(call.Dispose);
            await Task.WhenAll(complete, dispose);
            Assert.Equal(i, await call.ResponseAsync); // the caller's view is untouched, whoever reported
        }

        var s = breaker.Snapshot();
        Assert.Equal(Calls, s.SuccessfulCalls + s.IgnoredCalls); // each call counted once: success, or released on dispose
        Assert.Equal(0, s.FailedCalls);
    }
}
