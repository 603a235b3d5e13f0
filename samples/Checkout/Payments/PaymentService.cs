namespace Checkout.Payments;

/// <summary>
/// The payment service: every checkout asks the fraud service first. When the call goes through Fusebox and the
/// breaker is open, the seed's business fallback applies — allow the transaction, flag it for manual review —
/// in microseconds instead of waiting on a dead dependency.
/// </summary>
public sealed class PaymentService(HttpClient fraudClient)
{
    public async Task<CheckoutResult> CheckoutAsync(string transactionId, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await fraudClient.GetAsync("check/" + transactionId, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? CheckoutResult.Approved : CheckoutResult.Error;
        }
        catch (Fusebox.CircuitOpenException)
        {
            return CheckoutResult.FlaggedForReview;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return CheckoutResult.Error; // includes HttpClient.Timeout and Fusebox's CallTimeoutException
        }
    }
}
