using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.AspNetCore.Tests;

public class EventStreamTests
{
    /// <summary>Reads server-sent events (event name, data) from a stream, as a browser's EventSource would.</summary>
    private static async IAsyncEnumerable<(string Event, string Data)> ReadEventsAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        string type = "message";
        var data = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
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

    private static BreakerEventStream StreamOf(AdminApp app) =>
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

    [Fact]
    public async Task Snapshots_repeat_while_a_client_listens()
    {
        await using var app = await AdminApp.StartAsync(kestrel: true, snapshotInterval: TimeSpan.FromMilliseconds(100));
        app.Registry.GetOrAdd("a");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync("/fusebox/api/events", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);

        int snapshots = 0;
        await foreach (var (type, _) in ReadEventsAsync(body).WithCancellation(timeout.Token))
        {
            if (type == "snapshot" && ++snapshots == 3)
            {
                break;
            }
        }

        Assert.Equal(3, snapshots);
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
