using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.AspNetCore.Tests;

public class EventStreamTests
{
    /// <summary>Reads server-sent events (event name, data) from a stream, as a browser's EventSource would.</summary>
    internal static async IAsyncEnumerable<(string Event, string Data)> ReadEventsAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream);
        string type = "message";
        var data = new List<string>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    yield return (type, string.Join('\n', data));
                }

                type = "message";
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                type = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Add(line[5..].TrimStart());
            }
        }
    }

    internal static BreakerEventStream StreamOf(AdminApp app) =>
        app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.Select(e => e.Metadata.GetMetadata<BreakerEventStream>()).First(s => s is not null)!;

    [Fact]
    public async Task The_stream_starts_with_a_snapshot_and_delivers_a_state_change()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var breaker = app.Registry.GetOrAdd("fraud-service");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync("/fusebox/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = ReadEventsAsync(body).GetAsyncEnumerator(timeout.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal("snapshot", events.Current.Event);
        Assert.Equal("fraud-service", JsonDocument.Parse(events.Current.Data).RootElement[0].GetProperty("name").GetString());

        breaker.Isolate("by test");

        JsonElement? change = null;
        while (change is null && await events.MoveNextAsync())
        {
            if (events.Current.Event == "state")
            {
                change = JsonDocument.Parse(events.Current.Data).RootElement;
            }
        }

        Assert.NotNull(change);
        Assert.Equal("fraud-service", change.Value.GetProperty("name").GetString());
        Assert.Equal("closed", change.Value.GetProperty("oldState").GetString());
        Assert.Equal("isolated", change.Value.GetProperty("newState").GetString());
        Assert.Equal("ManualIsolate", change.Value.GetProperty("reason").GetString());
        await events.DisposeAsync();
    }

    /// <summary>Reads events until one that is not a state change.</summary>
    private static async Task<(string Event, JsonElement Data)> NextSnapshotOrChangesAsync(IAsyncEnumerator<(string Event, string Data)> events)
    {
        while (await events.MoveNextAsync())
        {
            if (events.Current.Event != "state")
            {
                return (events.Current.Event, JsonDocument.Parse(events.Current.Data).RootElement);
            }
        }

        throw new InvalidOperationException("The stream ended.");
    }

    [Fact]
    public async Task After_the_first_snapshot_each_tick_sends_only_the_breakers_that_changed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var app = await AdminApp.StartAsync(kestrel: true, time: time);
        for (int i = 0; i < 1000; i++)
        {
            app.Registry.GetOrAdd($"dependency-{i:D4}");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await app.Client.GetAsync("/fusebox/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var events = ReadEventsAsync(body, timeout.Token).GetAsyncEnumerator(timeout.Token);

        var (first, all) = await NextSnapshotOrChangesAsync(events);
        Assert.Equal("snapshot", first);
        Assert.Equal(1000, all.GetArrayLength());

        app.Registry.GetOrAdd("dependency-0042").FailTimes(1);
        time.Advance(TimeSpan.FromSeconds(1)); // one tick of the stream's timer (it runs on the app's clock)
        var (second, changed) = await NextSnapshotOrChangesAsync(events);

        Assert.Equal("changes", second);
        var only = Assert.Single(changed.EnumerateArray());
        Assert.Equal("dependency-0042", only.GetProperty("name").GetString());
        Assert.Equal(1, only.GetProperty("failedCalls").GetInt64());

        app.Registry.GetOrAdd("dependency-0007").FailTimes(1);
        app.Registry.GetOrAdd("dependency-0999").FailTimes(2);
        time.Advance(TimeSpan.FromSeconds(1));
        var (third, changedAgain) = await NextSnapshotOrChangesAsync(events);

        Assert.Equal("changes", third);
        Assert.Equal(["dependency-0007", "dependency-0999"], changedAgain.EnumerateArray().Select(b => b.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Connections_beyond_the_maximum_are_refused_with_a_429_problem_until_one_leaves()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true, configure: o => o.MaxEventStreamConnections = 2);
        var stream = StreamOf(app);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var open = new List<HttpResponseMessage>();
        for (int i = 0; i < 2; i++)
        {
            var ok = await app.Client.GetAsync("/fusebox/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            await (await ok.Content.ReadAsStreamAsync(timeout.Token)).ReadExactlyAsync(new byte[8], timeout.Token);
            open.Add(ok);
        }

        using var refused = await app.Client.GetAsync("/fusebox/api/events", timeout.Token);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(10), refused.Headers.RetryAfter!.Delta);
        Assert.Contains("MaxEventStreamConnections", (await refused.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, stream.Listeners);

        open[0].Dispose();
        while (stream.Listeners != 1)
        {
            await Task.Delay(20, timeout.Token); // bounded by the 20 s timeout
        }

        using var admitted = await app.Client.GetAsync("/fusebox/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
        open[1].Dispose();
    }

    [Fact]
    public void Racing_connections_never_take_more_slots_than_the_maximum()
    {
        var stream = new BreakerEventStream(new CircuitBreakerRegistry(), TimeProvider.System, TimeSpan.FromSeconds(1), configuration: null);
        for (int round = 0; round < 200; round++)
        {
            int admitted = 0;
            using var start = new Barrier(8);
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
            {
                start.SignalAndWait();
                for (int i = 0; i < 4; i++)
                {
                    if (stream.TryAdmit(5))
                    {
                        Interlocked.Increment(ref admitted);
                    }
                }
            });

            Assert.Equal(5, admitted);
            Assert.Equal(5, stream.Listeners);
            for (int i = 0; i < 5; i++)
            {
                stream.Leave();
            }
        }
    }

    [Fact]
    public async Task Clients_that_disconnect_are_cleaned_up()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true);
        var stream = StreamOf(app);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var response = await app.Client.GetAsync("/fusebox/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        await body.ReadExactlyAsync(new byte[8], timeout.Token); // the first snapshot has arrived: the client is subscribed
        Assert.Equal(1, stream.Listeners);

        body.Dispose();
        response.Dispose();

        while (stream.Listeners != 0)
        {
            await Task.Delay(20, timeout.Token); // bounded by the 20 s timeout
        }

        Assert.Equal(0, stream.Listeners);
    }
}
