using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fusebox.Coordination;
using static Microsoft.Playwright.Assertions;

namespace Fusebox.AspNetCore.Tests;

/// <summary>The per-replica view of a shared breaker: read from its coordinator's hook for one breaker on its detail
/// request (never for the list or the stream), and shown by the dashboard's Replicas table when opened. The
/// coordinator here is the core hook itself; Fusebox.Redis's implementation is tested against redis-server.</summary>
public class ReplicaViewTests
{
    private const string Hostile = "<img src=x onerror=alert(7)>";

    private static readonly DateTimeOffset s_reported = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Only_the_detail_of_one_breaker_reads_the_replicas()
    {
        await using var app = await AdminApp.StartAsync();
        int reads = 0;
        Share(app.Registry.GetOrAdd("payments"), () => Interlocked.Increment(ref reads));
        app.Registry.GetOrAdd("plain");

        var list = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers", TestContext.Current.CancellationToken);
        Assert.All(list.EnumerateArray(), b => Assert.False(b.TryGetProperty("replicas", out _)));
        Assert.Equal(0, reads);

        var detail = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/payments", TestContext.Current.CancellationToken);
        Assert.Equal(1, reads);
        var replicas = detail.GetProperty("replicas");
        Assert.Equal(1, replicas.GetProperty("skipped").GetInt32());
        var first = replicas.GetProperty("replicas")[0];
        Assert.Equal(("r1", "open", "local", false), (first.GetProperty("replicaId").GetString(), first.GetProperty("localState").GetString(),
            first.GetProperty("scope").GetString(), first.GetProperty("localFallback").GetBoolean()));

        var plain = await app.Client.GetFromJsonAsync<JsonElement>("/fusebox/api/breakers/plain", TestContext.Current.CancellationToken);
        Assert.False(plain.TryGetProperty("replicas", out _)); // nothing shares it
    }

    [Fact]
    public async Task The_dashboard_shows_each_replicas_state_scope_fallback_and_times_when_the_table_is_opened()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        int reads = 0;
        Share(app.Registry.GetOrAdd("payments"), () => Interlocked.Increment(ref reads));
        app.Registry.GetOrAdd("plain");

        await using var session = await DashboardSession.OpenAsync(app);

        var card = session.Card("payments");
        await Expect(card.Locator(".coordination")).ToBeVisibleAsync();
        await Expect(session.Card("plain").Locator(".replicas")).ToBeHiddenAsync(); // not shared: no table to open
        Assert.Equal(0, reads); // not read until asked for
        await card.Locator(".replicas summary").ClickAsync();

        var rows = card.Locator(".replicas tr[data-replica]");
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0).Locator("td")).ToHaveTextAsync(Cells("r1", "Open", "local", "no", DashboardSession.Clock(s_reported)));
        await Expect(rows.Nth(1).Locator("td")).ToHaveTextAsync(Cells("r2", "Closed", "cluster", "local fallback", "never"));
        await Expect(rows.Nth(1).Locator("td[data-fallback=true]")).ToHaveCountAsync(1);
        await Expect(rows.Nth(2).Locator("td").First).ToHaveTextAsync(Hostile); // a replica id is text, never HTML
        await Expect(card.Locator(".replicas-body")).ToContainTextAsync("1 unreadable entry skipped");
        Assert.Empty(session.Dialogs);
        Assert.Equal(1, reads);
    }

    /// <summary>The exact cells, then the "reported" cell: a clock time and how long ago.</summary>
    private static Regex[] Cells(params string[] cells) =>
        [.. cells.Select(c => new Regex("^" + Regex.Escape(c) + "$")), new Regex("^" + Regex.Escape(DashboardSession.Clock(s_reported)) + " · .* ago$")];

    /// <summary>What a coordinator does: a coordination status and a replica reader on the breaker.</summary>
    private static void Share(CircuitBreaker breaker, Action onRead)
    {
        breaker.SetCoordination(() => new CoordinationStatus { Coordinator = "test", Scope = "cluster", LocalFallback = false });
        breaker.SetReplicaStatusReader(_ =>
        {
            onRead();
            return Task.FromResult(new ReplicaReport
            {
                Replicas =
                [
                    new ReplicaStatus { ReplicaId = "r1", LocalState = BreakerState.Open, Scope = "local", LocalFallback = false, LastSyncedAt = s_reported, ReportedAt = s_reported },
                    new ReplicaStatus { ReplicaId = "r2", LocalState = BreakerState.Closed, Scope = "cluster", LocalFallback = true, ReportedAt = s_reported },
                    new ReplicaStatus { ReplicaId = Hostile, LocalState = BreakerState.HalfOpen, Scope = "cluster", LocalFallback = false, ReportedAt = s_reported },
                ],
                Skipped = 1,
            });
        });
    }
}
