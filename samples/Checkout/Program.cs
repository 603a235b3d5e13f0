using Checkout;
using Fusebox;

// The seed's demo: ten transactions against a fraud service that is down. The breaker opens after 3 failures
// (the seed's payment-service settings: 3 failures, 60 s open, 2 half-open calls), and from then on every
// transaction is approved at once but flagged for manual review instead of waiting on a dead dependency.
var breaker = new CircuitBreaker("fraud-service", new CircuitBreakerOptions
{
    TripPolicy = TripPolicy.ConsecutiveFailures(3),
    BreakDuration = TimeSpan.FromSeconds(60),
    HalfOpenPermits = 2,
});
breaker.StateChanged += (_, e) => Console.WriteLine($"  [breaker] {e.OldState} -> {e.NewState}: {e.Description}");

var fraud = new FraudService();
var payments = new PaymentService(fraud, breaker);
for (int i = 0; i < 10; i++)
{
    string tx = $"tx-{i:0000}";
    var (_, detail) = await payments.CheckFraudAsync(tx, CancellationToken.None);
    Console.WriteLine($"{tx}: {detail}");
    await Task.Delay(TimeSpan.FromMilliseconds(200));
}

Console.WriteLine();
Console.WriteLine($"Circuit state: {breaker.State}");
Console.WriteLine($"Calls that reached the fraud service: {fraud.Calls} of 10");
Console.WriteLine();
Console.WriteLine(breaker.Snapshot().ToReport());
return 0;
