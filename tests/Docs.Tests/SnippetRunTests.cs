using Docs.Tests.Snippets.Concepts;
using Docs.Tests.Snippets.Configuration;
using Docs.Tests.Snippets.Distributed;
using Docs.Tests.Snippets.Groups;
using Docs.Tests.Snippets.MigratingFromPolly;
using Docs.Tests.Snippets.Operating;
using Docs.Tests.Snippets.Packages;
using Docs.Tests.Snippets.Readme;
using Docs.Tests.Snippets.Resilience;
using Fusebox;
using Microsoft.Extensions.DependencyInjection;
using Polly.CircuitBreaker;
using Xunit;

namespace Docs.Tests;

/// <summary>
/// Compiling is not the whole promise: a snippet whose options fail validation, or whose registrations cannot be
/// resolved, compiles and still fails its reader. So the snippets run here, against the scaffold's in-memory
/// dependency. Not run: docs/distributed.md #2, which connects to a Redis server.
/// </summary>
public class SnippetRunTests
{
    [Fact]
    public async Task Readme_quick_start_runs_every_call_style()
    {
        var snippet = new QuickStart();

        await snippet.RunAsync();

        Assert.Equal(1, snippet.Sent);
        Assert.Equal(0, snippet.FlaggedForReview);
    }

    [Fact]
    public async Task Groups_snippets_run()
    {
        var start = new GroupStart();

        await start.RunAsync();

        Assert.Equal("sku-1@10.0.0.7:443: 7", start.Stock);
        Assert.Equal(1, start.Members);
        using var group = new BreakerGroup("inventory");
        new GroupReporting().Run(group);
    }

    [Fact]
    public async Task Core_snippets_run_against_a_Task_returning_dependency()
    {
        await new ResilientCallerStart().RunAsync();
        await new CallStyles<int>(7).RunAsync();
        await new ComposedCall().RunAsync();
        await new CorePackage().RunAsync();
    }

    [Fact]
    public async Task Both_sides_of_the_polly_comparison_run()
    {
        await new PollyBreaker().RunAsync();
        await new FuseboxBreaker().RunAsync();
        new PollyGrowingBreak().Run();
        new FuseboxGrowingBreak().Run();
    }

    [Fact]
    public void Web_app_snippets_build_their_app()
    {
        new HttpClientStart().Run();
        new Registration().Run();
        new RedisRegistration().Run();
        new Endpoints().Run();
        new PrometheusExport().Run();
        new ExtensionsPackage().Run();
        new HttpPackage().Run();
        new AspNetCorePackage().Run();
        new RedisPackage().Run();
    }

    [Fact]
    public void Registration_snippet_gives_a_working_http_client()
    {
        var snippet = new HttpClientStart();
        snippet.Run();

        using var services = snippet.Services.BuildServiceProvider();
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("fraud");

        Assert.Equal(new Uri("http://fraud-service"), client.BaseAddress);
        Assert.NotNull(services.GetRequiredService<CircuitBreakerRegistry>());
    }

    [Fact]
    public void A_catch_written_for_polly_does_not_catch_a_fusebox_rejection()
    {
        // docs/migrating-from-polly.md says so in bold; this keeps it true.
        Assert.False(typeof(BrokenCircuitException).IsAssignableFrom(typeof(CircuitOpenException)));
        Assert.False(typeof(CircuitOpenException).IsAssignableFrom(typeof(BrokenCircuitException)));
    }
}
