namespace Checkout;

/// <summary>A stand-in for the remote fraud-detection API. It is down, as in the seed's demo: every call fails after a short delay.</summary>
internal sealed class FraudService
{
    private int _calls;

    public int Calls => _calls;

    public async Task<bool> CheckAsync(string transactionId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        throw new HttpRequestException($"Fraud service returned 503 Service Unavailable for {transactionId}");
    }
}
