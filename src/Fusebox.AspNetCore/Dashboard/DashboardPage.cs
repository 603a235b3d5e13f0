using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Fusebox.AspNetCore;

/// <summary>The embedded dashboard page, with its title and base path filled in.</summary>
internal static class DashboardPage
{
    private static readonly Lazy<string> s_template = new(Load);

    public static IResult Render(HttpContext context, string prefix, string title)
    {
        string basePath = context.Request.PathBase.Add(new PathString(prefix.TrimEnd('/'))).Value ?? prefix;
        string html = s_template.Value
            .Replace("{{TITLE}}", System.Net.WebUtility.HtmlEncode(title), StringComparison.Ordinal)
            .Replace("\"{{BASE}}\"", JsonSerializer.Serialize(basePath, FuseboxJsonContext.Default.String), StringComparison.Ordinal);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.ContentSecurityPolicy = SecurityHeaders.DashboardContentSecurityPolicy;
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static string Load()
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("Fusebox.AspNetCore.dashboard.html")
            ?? throw new InvalidOperationException("The Fusebox dashboard resource is missing from the assembly.");
        using var reader = new StreamReader(resource);
        return reader.ReadToEnd();
    }
}
