using Checkout.Admin;
using Fusebox;

namespace Checkout.Scenario;

/// <summary>
/// Opens connections and JIT-compiles every path before the clock starts, so that the first checkouts of the
/// healthy phase do not time out on start-up costs. The guarded calls go through throwaway payment hosts, never
/// through the ones the run reports: a warm-up call on a reported host would stay in its breaker's lifetime counts
/// (the report's "Total calls") and in the exported metrics, and a slow first call could trip it — a closed→open
/// transition that fires the <c>CircuitBreakerOpened</c> alert although no checkout has run yet. Resetting the
/// breaker afterwards (what this did before) hides the trip from the report but not from the metrics.
/// </summary>
public static class WarmUp
{
    /// <summary>The replica name the throwaway hosts send: the fraud simulator counts no calls before its clock starts anyway.</summary>
    public const string ReplicaName = "warm-up";

    /// <param name="directClients">Clients that call the fraud service without a breaker (nothing to keep clean).</param>
    /// <param name="startThrowawayHosts">Start the throwaway payment hosts, configured like the reported ones; they are disposed at the end.</param>
    /// <param name="cancellationToken">Stops the warm-up.</param>
    public static async Task RunAsync(IReadOnlyList<HttpClient> directClients, IReadOnlyList<Func<Task<PaymentHost>>> startThrowawayHosts, CancellationToken cancellationToken)
    {
        var hosts = await Task.WhenAll(startThrowawayHosts.Select(start => start())).ConfigureAwait(false);
        try
        {
            HttpClient[] clients = [.. directClients, .. hosts.Select(h => h.FraudClient)];
            for (int round = 0; round < 3; round++)
            {
                await Task.WhenAll(Enumerable.Range(0, 20).SelectMany(i => clients.Select(c => CallAsync(c, $"warm-{round}-{i}", cancellationToken))))
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
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
