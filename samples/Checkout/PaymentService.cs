using Fusebox;

namespace Checkout;

/// <summary>What the payment service decided for one transaction.</summary>
internal enum FraudCheckResult
{
    Approved,
    FlaggedForReview,
    Error,
}

/// <summary>The seed's payment service: every transaction's fraud check goes through a breaker, and when the breaker is
/// open the business fallback applies: allow the transaction but flag it for manual review.</summary>
internal sealed class PaymentService(FraudService fraud, CircuitBreaker breaker)
{
    public async Task<(FraudCheckResult Result, string Detail)> CheckFraudAsync(string transactionId, CancellationToken cancellationToken)
    {
        var outcome = await breaker.TryExecuteAsync(
            static (state, ct) => new ValueTask<bool>(state.fraud.CheckAsync(state.transactionId, ct)),
            (fraud, transactionId), cancellationToken);

        if (outcome.IsRejected)
        {
            return (FraudCheckResult.FlaggedForReview, "fraud service unavailable, flagged for manual review");
        }

        return outcome.HasValue
            ? (FraudCheckResult.Approved, "approved")
            : (FraudCheckResult.Error, "error: " + outcome.Exception.Message);
    }
}
