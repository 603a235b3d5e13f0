using System.Net;
using BenchmarkDotNet.Attributes;
using Fusebox.Extensions;
using Fusebox.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Fusebox.Benchmarks;

/// <summary>Class 8: a GET through <c>IHttpClientFactory</c> with Microsoft.Extensions.Http.Resilience's standard
/// handler (rate limiter, total timeout, retry, circuit breaker, attempt timeout) vs the Fusebox handler (breaker per
/// authority, attempt timeout), both against an in-process handler that answers 200: no sockets.</summary>
[MemoryDiagnoser]
public class HttpClientBenchmarks
{
    private static readonly Uri s_url = new("http://fraud.bench/check/tx-1");
    private ServiceProvider _services = null!;
    private HttpClient _standard = null!;
    private HttpClient _fusebox = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("standard").ConfigurePrimaryHttpMessageHandler(() => new OkHandler()).AddStandardResilienceHandler();
        services.AddHttpClient("fusebox").ConfigurePrimaryHttpMessageHandler(() => new OkHandler())
            .AddFuseboxHandler(o => o.Timeout = TimeSpan.FromSeconds(10));
        _services = services.BuildServiceProvider();
        var factory = _services.GetRequiredService<IHttpClientFactory>();
        _standard = factory.CreateClient("standard");
        _fusebox = factory.CreateClient("fusebox");
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<HttpStatusCode> StandardResilienceHandler()
    {
        using var response = await _standard.GetAsync(s_url);
        return response.StatusCode;
    }

    [Benchmark]
    public async Task<HttpStatusCode> FuseboxHandler()
    {
        using var response = await _fusebox.GetAsync(s_url);
        return response.StatusCode;
    }

    private sealed class OkHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
    }
}
