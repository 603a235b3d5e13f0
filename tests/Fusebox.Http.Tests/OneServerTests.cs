namespace Fusebox.Http.Tests;

/// <summary>A test class with one fake dependency on Kestrel, started before each test and stopped after it.</summary>
public abstract class OneServerTests : IAsyncLifetime
{
    protected DependencyServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await DependencyServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Waits on the real clock, bounded, for what the server or another thread does on its own.</summary>
    protected static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }
}

/// <summary>A test class with two fake dependencies on Kestrel, two authorities for per-host tests.</summary>
public abstract class TwoServerTests : IAsyncLifetime
{
    protected DependencyServer A { get; private set; } = null!;

    protected DependencyServer B { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        A = await DependencyServer.StartAsync();
        B = await DependencyServer.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>An inner handler that answers 200 without a network, counting the requests.</summary>
internal sealed class OkHandler : HttpMessageHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request });
    }
}
