namespace Checkout.Payments;

/// <summary>How one checkout ended. Every checkout ends in exactly one of these: nothing is lost.</summary>
public enum CheckoutResult
{
    /// <summary>The fraud service said the transaction is fine.</summary>
    Approved,

    /// <summary>The breaker was open: the seed's fallback allowed the transaction and flagged it for manual review.</summary>
    FlaggedForReview,

    /// <summary>The fraud check failed (timeout, 5xx, connection error) and the customer saw an error.</summary>
    Error,
}
