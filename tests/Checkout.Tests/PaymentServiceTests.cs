using System.Net;
using Checkout.Payments;
using Fusebox;

namespace Checkout.Tests;

public class PaymentServiceTests
{
    private sealed class Stub(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answer());
    }

    private static PaymentService Service(Func<HttpResponseMessage> answer) =>
        new(new HttpClient(new Stub(answer)) { BaseAddress = new Uri("http://fraud.test/") });

    [Fact]
    public async Task A_healthy_answer_approves()
    {
        Assert.Equal(CheckoutResult.Approved, await Service(() => new HttpResponseMessage(HttpStatusCode.OK)).CheckoutAsync("tx", CancellationToken.None));
    }

    [Fact]
    public async Task An_open_breaker_flags_for_manual_review()
    {
        Assert.Equal(CheckoutResult.FlaggedForReview,
            await Service(() => throw new CircuitOpenException("fraud", BreakerState.Open, TimeSpan.FromSeconds(3))).CheckoutAsync("tx", CancellationToken.None));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task A_failing_fraud_service_is_an_error(HttpStatusCode status)
    {
        Assert.Equal(CheckoutResult.Error, await Service(() => new HttpResponseMessage(status)).CheckoutAsync("tx", CancellationToken.None));
    }

    [Fact]
    public async Task A_timeout_is_an_error()
    {
        Assert.Equal(CheckoutResult.Error, await Service(() => throw new CallTimeoutException(TimeSpan.FromMilliseconds(100))).CheckoutAsync("tx", CancellationToken.None));
    }

    [Fact]
    public async Task The_callers_cancellation_propagates()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Service(() => new HttpResponseMessage(HttpStatusCode.OK)).CheckoutAsync("tx", cts.Token));
    }
}
