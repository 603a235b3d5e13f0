using Fusebox.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fusebox.AspNetCore;

/// <summary>Maps the Fusebox admin API, event stream and dashboard.</summary>
public static class FuseboxEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>: <c>GET /</c> the dashboard; <c>GET /api/breakers</c> and
    /// <c>GET /api/breakers/{name}</c> snapshots; <c>GET /api/groups</c> the breaker groups of the registry
    /// (<see cref="CircuitBreakerRegistry.Groups"/>), read-only; <c>GET /api/configured</c> the breakers configured under
    /// <c>Fusebox:Breakers</c> that nothing has called yet; <c>GET /api/events</c> a server-sent event stream (at most
    /// <see cref="FuseboxEndpointOptions.MaxEventStreamConnections"/> at once); <c>GET /api/capabilities</c>; and
    /// <c>POST /api/breakers/{name}/isolate|disable|reset</c>, which require
    /// <see cref="FuseboxEndpointOptions.ControlPolicy"/> (403 when none is configured) and the header
    /// <see cref="FuseboxEndpointOptions.ControlRequestHeader"/>, refuse requests from other origins, and take an
    /// optional JSON body <c>{"reason": "..."}</c>. The GET endpoints require
    /// <see cref="FuseboxEndpointOptions.ViewPolicy"/> when it is set and <b>are anonymous when it is not</b>. Names
    /// are one path segment, URL-encoded once (<c>/</c> as <c>%2F</c>). Refusals are problem+json and logged at most
    /// once per 10 s per kind. Returns the route group, so the application can add
    /// <c>.RequireAuthorization(...)</c> or other filters to all of it.
    /// </summary>
    /// <param name="endpoints">The application's endpoint builder.</param>
    /// <param name="prefix">The path prefix, default <c>/fusebox</c>.</param>
    /// <param name="configure">Adjusts the options (validated now).</param>
    public static RouteGroupBuilder MapFusebox(this IEndpointRouteBuilder endpoints, string prefix = "/fusebox", Action<FuseboxEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var options = new FuseboxEndpointOptions();
        configure?.Invoke(options);
        options.Validate();

        var services = endpoints.ServiceProvider;
        var registry = services.GetRequiredService<CircuitBreakerRegistry>();
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var configuration = services.GetService<FuseboxConfiguration>();
        var stream = new BreakerEventStream(registry, timeProvider, options.SnapshotInterval, configuration);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Fusebox.AspNetCore");
        var refusals = new RefusalLog(logger, timeProvider);
        var viewGuard = options.ViewPolicy is { } viewPolicy ? new PolicyGuard(viewPolicy, nameof(FuseboxEndpointOptions.ViewPolicy), refusals) : null;
        var controlGuard = options.ControlPolicy is { } controlPolicy ? new PolicyGuard(controlPolicy, nameof(FuseboxEndpointOptions.ControlPolicy), refusals) : null;
        var control = new ManualControl(registry, controlGuard, logger, refusals);

        var group = endpoints.MapGroup(prefix);
        group.AddEndpointFilter((context, next) =>
        {
            SecurityHeaders.Apply(context.HttpContext.Response);
            return next(context);
        });

        var reads = new[]
        {
            group.MapGet("", (HttpContext context, CancellationToken _) => DashboardPage.Render(context, prefix, options.Title)).ExcludeFromDescription(),
            group.MapGet("/api/breakers", () => Results.Json(registry.Breakers.OrderBy(b => b.Name, StringComparer.Ordinal).Select(BreakerView.From).ToArray(), FuseboxJsonContext.Default.BreakerViewArray)),
            group.MapGet("/api/breakers/{name}", async (string name, HttpContext context) =>
            {
                string exact = RawBreakerName.Read(context, name, segmentsFromEnd: 0);
                if (!registry.TryGet(exact, out var breaker))
                {
                    return Problems.NotFound(exact);
                }

                // the replicas come from the coordinator's store: read for this one breaker, on this request only
                var view = BreakerView.From(breaker) with { Replicas = await ReplicasView.ReadAsync(breaker, context.RequestAborted) };
                return Results.Json(view, FuseboxJsonContext.Default.BreakerView);
            }),
            group.MapGet("/api/groups", () => Results.Json(BreakerGroupView.ListOf(registry), FuseboxJsonContext.Default.BreakerGroupViewArray)),
            group.MapGet("/api/configured", () => Results.Json(ConfiguredBreakerView.NotYetCalled(configuration, registry), FuseboxJsonContext.Default.ConfiguredBreakerViewArray)),
            group.MapGet("/api/events", (HttpContext context, CancellationToken _) => new EventStreamResult(stream, options.MaxEventStreamConnections, refusals)),
            // Two parameters on purpose: a lambda taking only HttpContext would bind as a RequestDelegate and drop its result.
            group.MapGet("/api/capabilities", async (HttpContext context, CancellationToken _) =>
                Results.Json(new CapabilitiesView(controlGuard is not null && await controlGuard.IsSatisfiedAsync(context), options.Title), FuseboxJsonContext.Default.CapabilitiesView)),
        };
        if (viewGuard is not null)
        {
            foreach (var read in reads)
            {
                read.AddEndpointFilter(async (context, next) => await viewGuard.CheckAsync(context.HttpContext) ?? await next(context));
            }
        }

        foreach (var action in ManualControl.Actions)
        {
            group.MapPost("/api/breakers/{name}/" + action, (string name, HttpContext context) => control.ApplyAsync(action, name, context));
        }

        group.WithMetadata(stream); // lets tests and diagnostics find the stream (e.g. its listener count)
        return group;
    }
}
