using Checkout.Admin;
using Fusebox;

namespace Checkout.Scenario;

/// <summary>Opens connections and JIT-compiles every path before the clock starts, so that the first checkouts of the
/// healthy phase do not time out on start-up costs; then clears the breakers of anything warm-up taught them.</summary>
public static class WarmUp
{
    public static async Task RunAsync(IReadOnlyList<HttpClient> clients, IEnumerable<PaymentHost> hosts, CancellationToken cancellationToken)
    {
        for (int round = 0; round < 3; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 20).SelectMany(i => clients.Select(c => CallAsync(c, $"warm-{round}-{i}", cancellationToken))))
                .ConfigureAwait(false);
        }

        foreach (var breaker in hosts.SelectMany(h => h.Registry.Breakers))
        {
            breaker.Reset("warm-up done");
        }
    }

    private static async Task CallAsync(HttpClient client, string transactionId, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await client.GetAsync("check/" + transactionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or CircuitOpenException or TaskCanceledException)
        {
            // warm-up only: a slow first call is exactly what it is here to absorb
        }
    }
}
