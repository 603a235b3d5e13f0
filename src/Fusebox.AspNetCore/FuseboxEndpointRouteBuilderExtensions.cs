using System.Reflection;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Fusebox.AspNetCore;

/// <summary>Maps the Fusebox admin API, event stream and dashboard.</summary>
public static class FuseboxEndpointRouteBuilderExtensions
{
    private static readonly Lazy<string> s_dashboard = new(LoadDashboard);

    /// <summary>
    /// Maps, under <paramref name="prefix"/>: <c>GET /</c> the dashboard; <c>GET /api/breakers</c> and
    /// <c>GET /api/breakers/{name}</c> snapshots; <c>GET /api/events</c> a server-sent event stream;
    /// <c>GET /api/capabilities</c>; and <c>POST /api/breakers/{name}/isolate|disable|reset</c>, which require
    /// <see cref="FuseboxEndpointOptions.ControlPolicy"/> and answer 403 when none is configured. Names containing
    /// <c>/</c> are passed URL-encoded. Returns the route group, so the application can add
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
        var stream = new BreakerEventStream(registry, services.GetService<TimeProvider>() ?? TimeProvider.System);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Fusebox.AspNetCore");

        var group = endpoints.MapGroup(prefix);
        group.MapGet("", (HttpContext context) => Dashboard(context, prefix, options)).ExcludeFromDescription();
        group.MapGet("/api/breakers", () => Results.Json(registry.Breakers.OrderBy(b => b.Name, StringComparer.Ordinal).Select(BreakerView.From).ToArray(), FuseboxJsonContext.Default.BreakerViewArray));
        group.MapGet("/api/breakers/{name}", (string name) =>
            Find(registry, name, out var breaker, out var notFound) ? Results.Json(BreakerView.From(breaker!), FuseboxJsonContext.Default.BreakerView) : notFound);
        group.MapGet("/api/events", (CancellationToken aborted) =>
            TypedResults.ServerSentEvents(stream.ListenAsync(options.SnapshotInterval, aborted)));
        // Two parameters on purpose: a lambda taking only HttpContext would bind as a RequestDelegate and drop its result.
        group.MapGet("/api/capabilities", async (ClaimsPrincipal user, IServiceProvider requestServices) =>
            Results.Json(new CapabilitiesView(await CanControlAsync(user, requestServices, options), options.Title), FuseboxJsonContext.Default.CapabilitiesView));

        foreach (var action in new[] { "isolate", "disable", "reset" })
        {
            var endpoint = group.MapPost("/api/breakers/{name}/" + action, (string name, HttpContext context) =>
                Control(registry, options, logger, action, name, context));
            if (options.ControlPolicy is { } policy)
            {
                endpoint.RequireAuthorization(policy);
            }
        }

        group.WithMetadata(stream); // lets tests and diagnostics find the stream (e.g. its listener count)
        return group;
    }

    private static IResult Control(CircuitBreakerRegistry registry, FuseboxEndpointOptions options, ILogger logger, string action, string name, HttpContext context)
    {
        string user = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name ?? "(unnamed user)" : "anonymous";
        if (options.ControlPolicy is null)
        {
            FuseboxAdminLog.ManualControlRefused(logger, action, Uri.UnescapeDataString(name), user);
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Manual control is disabled",
                detail: "Set FuseboxEndpointOptions.ControlPolicy to an authorization policy to allow isolate, disable and reset.");
        }

        if (!Find(registry, name, out var breaker, out var notFound))
        {
            return notFound;
        }

        string reason = $"{action} by {user} via the admin API";
        switch (action)
        {
            case "isolate": breaker!.Isolate(reason); break;
            case "disable": breaker!.Disable(reason); break;
            default: breaker!.Reset(reason); break;
        }

        FuseboxAdminLog.ManualControl(logger, action, breaker.Name, user);
        return Results.Json(BreakerView.From(breaker), FuseboxJsonContext.Default.BreakerView);
    }

    private static bool Find(CircuitBreakerRegistry registry, string name, out CircuitBreaker? breaker, out IResult notFound)
    {
        string decoded = Uri.UnescapeDataString(name); // names like "client/http://host:port" arrive with %2F kept encoded
        notFound = Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown circuit breaker",
            detail: $"No circuit breaker is named '{decoded}'.");
        return registry.TryGet(decoded, out breaker);
    }

    private static async Task<bool> CanControlAsync(ClaimsPrincipal user, IServiceProvider services, FuseboxEndpointOptions options)
    {
        if (options.ControlPolicy is not { } policy)
        {
            return false;
        }

        var authorization = services.GetService<IAuthorizationService>();
        return authorization is not null && (await authorization.AuthorizeAsync(user, policy).ConfigureAwait(false)).Succeeded;
    }

    private static IResult Dashboard(HttpContext context, string prefix, FuseboxEndpointOptions options)
    {
        string basePath = context.Request.PathBase.Add(new PathString(prefix.TrimEnd('/'))).Value ?? prefix;
        string html = s_dashboard.Value
            .Replace("{{TITLE}}", System.Net.WebUtility.HtmlEncode(options.Title), StringComparison.Ordinal)
            .Replace("\"{{BASE}}\"", JsonSerializer.Serialize(basePath, FuseboxJsonContext.Default.String), StringComparison.Ordinal);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data:";
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static string LoadDashboard()
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("Fusebox.AspNetCore.dashboard.html")
            ?? throw new InvalidOperationException("The Fusebox dashboard resource is missing from the assembly.");
        using var reader = new StreamReader(resource);
        return reader.ReadToEnd();
    }
}
