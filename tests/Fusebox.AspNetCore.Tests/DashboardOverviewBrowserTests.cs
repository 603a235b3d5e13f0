using System.Net;
using Fusebox.Coordination;
using Fusebox.Extensions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>
/// 50 breakers in varied states, with statistics on, at 1280×800: the page stays readable (four columns, nothing
/// wider than the window, the troubled breakers first) and the test writes the screenshot docs/operating.md shows
/// (to the test's artifacts, and to <c>$FUSEBOX_SCREENSHOT_DIR/dashboard.png</c> when that is set).
/// </summary>
public class DashboardOverviewBrowserTests
{
    private static readonly string[] s_services =
    [
        "payments-api", "fraud-check", "ledger", "inventory", "pricing", "search", "recommendations", "shipping-quotes",
        "tax-service", "loyalty", "identity", "notifications", "email-gateway", "sms-gateway", "geo-ip", "currency-rates",
        "catalog", "reviews", "wishlist", "cart", "checkout-session", "address-validation", "kyc", "invoice-pdf", "s3-assets",
    ];

    [Fact]
    public async Task Fifty_breakers_fit_a_1280x800_screen_troubled_ones_first()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(25));
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time, fusebox: o =>
        {
            foreach (string name in new[] { "refunds", "gift-cards", "b2b-export" })
            {
                o.Breakers[name] = new BreakerConfiguration { FailureThreshold = 10, Critical = name == "refunds" };
            }
        });
        int[] tripped = [1, 12, 44, 45, 46];
        var names = s_services.SelectMany(s => new[] { s, s + "/eu-west-1" }).Take(50).ToArray();
        var breakers = names.Select((name, i) => app.Registry.GetOrAdd(name, new CircuitBreakerOptions
        {
            CollectStatistics = true,
            TripPolicy = i % 3 == 0 && !tripped.Contains(i) ? TripPolicy.FailureRate(0.5, windowSize: 50, minimumCalls: 20) : TripPolicy.ConsecutiveFailures(5),
            BreakDuration = i is 44 or 45 or 46 ? TimeSpan.FromSeconds(20) : TimeSpan.FromMinutes(2),
            BreakDurationBackoff = 2,
            MaxBreakDuration = TimeSpan.FromMinutes(10),
            SlowCallThreshold = TimeSpan.FromSeconds(1),
        })).ToArray();
        foreach (int i in new[] { 3, 27 })
        {
            breakers[i].SetCoordination(() => new CoordinationStatus { Coordinator = "redis", Scope = "cluster", LocalFallback = false, Detail = "Quorum mode: cluster generation 12, decided by checkout-7f9c" });
        }

        breakers[30].SetCoordination(() => new CoordinationStatus { Coordinator = "redis", Scope = "local", LocalFallback = true, Detail = "Redis unavailable: deciding locally" });

        time.Advance(TimeSpan.FromMinutes(5));
        breakers[8].Isolate("isolate by alice via the admin API: INC-4711 tax provider maintenance");
        breakers[40].Disable("disable by bob via the admin API: CHG-301 flapping health checks");
        time.Advance(TimeSpan.FromMinutes(19));
        await FailAsync(breakers[1], 5, new HttpRequestException("Connection refused (fraud.internal:443)"));
        await FailAsync(breakers[12], 5, new TimeoutException("The operation has timed out after 2 s."));
        foreach (int i in new[] { 44, 45, 46 })
        {
            await FailAsync(breakers[i], 5, new HttpRequestException("503 Service Unavailable"));
        }

        time.Advance(TimeSpan.FromSeconds(25)); // 44-46 read half-open; 1 and 12 stay open
        await TrafficAsync(time, breakers);
        foreach (int i in new[] { 44, 45 })
        {
            Assert.True(breakers[i].TryAcquire(out _)); // a probe in flight
        }

        await using var session = await DashboardSession.OpenAsync(app);
        await Expect(session.Cards).ToHaveCountAsync(53);
        await Expect(session.Page.Locator("#summary")).ToContainTextAsync("53 breakers");
        var states = await session.Page.Locator("[data-testid=breaker-card]").EvaluateAllAsync<string[]>("es => es.map(e => e.dataset.state)");
        var rank = new Dictionary<string, int> { ["isolated"] = 0, ["open"] = 1, ["half_open"] = 2, ["closed"] = 3, ["disabled"] = 3, ["not_called"] = 4 };
        Assert.Equal(states.OrderBy(s => rank[s]), states); // most severe first (a breaker the burst tripped is open too)
        Assert.Equal(("isolated", 3, 3), (states[0], states.Count(s => s == "half_open"), states.Count(s => s == "not_called")));

        var layout = await session.Page.EvaluateAsync<int[]>("""
            () => {
              const cards = [...document.querySelectorAll("[data-testid=breaker-card]")];
              const top = cards[0].getBoundingClientRect().top;
              return [cards.filter(c => c.getBoundingClientRect().top === top).length, document.documentElement.scrollWidth,
                      cards.filter(c => c.scrollWidth > c.clientWidth + 1).length];
            }
            """);
        Assert.Equal(4, layout[0]); // four cards a row
        Assert.True(layout[1] <= 1280, $"the page is {layout[1]} px wide");
        Assert.Equal(0, layout[2]); // no card's content overflows it

        await session.Cards.Nth(1).Locator(".history summary").ClickAsync(); // the first open breaker's history
        await session.Page.Mouse.MoveAsync(0, 0);
        string path = Browser.ArtifactPath("dashboard-50.png");
        await session.Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        if (Environment.GetEnvironmentVariable("FUSEBOX_SCREENSHOT_DIR") is { Length: > 0 } dir)
        {
            File.Copy(path, Path.Combine(dir, "dashboard.png"), overwrite: true);
        }

        await session.AssertNothingRanAsync();
    }

    private static async Task FailAsync(CircuitBreaker breaker, int times, Exception exception)
    {
        for (int i = 0; i < times; i++)
        {
            await Assert.ThrowsAnyAsync<Exception>(async () => await breaker.ExecuteAsync<int>(_ => ValueTask.FromException<int>(exception)));
        }
    }

    /// <summary>The last seconds' traffic: calls of every closed breaker start together and end after their latencies,
    /// the fake clock stepping from one ending to the next (so the whole burst takes at most 1.5 s of the window).</summary>
    private static async Task TrafficAsync(FakeTimeProvider time, CircuitBreaker[] breakers)
    {
        var random = new Random(15);
        var calls = new List<(int EndsAtMs, TaskCompletionSource<HttpStatusCode> Gate, bool Fails)>();
        var running = new List<Task>();
        for (int i = 0; i < breakers.Length; i++)
        {
            int volume = random.Next(0, 4) == 0 ? random.Next(0, 5) : random.Next(20, 400);
            double errorShare = i % 7 == 2 ? 0.3 : i % 5 == 1 ? 0.06 : 0.005;
            int typical = new[] { 3, 8, 15, 40, 120 }[i % 5];
            for (int c = 0; c < volume && breakers[i].State is BreakerState.Closed or BreakerState.Disabled; c++)
            {
                var gate = new TaskCompletionSource<HttpStatusCode>() /* completes the call inline, at the clock time it is set */;
                bool fails = random.NextDouble() < errorShare;
                int latency = Math.Min(1500, (int)(typical * (0.5 + (random.NextDouble() * random.NextDouble() * 6))));
                calls.Add((latency, gate, fails));
                var breaker = breakers[i];
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await breaker.ExecuteAsync(async _ => await gate.Task == HttpStatusCode.OK ? 1 : throw new HttpRequestException("502 Bad Gateway from upstream"));
                    }
                    catch (HttpRequestException)
                    {
                    }
                    catch (CircuitOpenException)
                    {
                    }
                }));
            }
        }

        await Task.Delay(200); // every call has been admitted (no real time is measured: the breakers use the fake clock)
        int now = 0;
        foreach (var group in calls.GroupBy(c => c.EndsAtMs).OrderBy(g => g.Key))
        {
            time.Advance(TimeSpan.FromMilliseconds(group.Key - now));
            now = group.Key;
            foreach (var call in group)
            {
                call.Gate.SetResult(call.Fails ? HttpStatusCode.BadGateway : HttpStatusCode.OK);
            }
        }

        await Task.WhenAll(running);
    }
}
