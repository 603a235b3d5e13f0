// snippet:start
using Fusebox.AspNetCore;   // MapFusebox (package Fusebox.AspNetCore)
using Fusebox.Extensions;   // AddFusebox
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.AspNetCore.Builder; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using Microsoft.Extensions.DependencyInjection; // implicit as well

namespace Docs.Tests.Snippets.Operating;

/// <summary>docs/operating.md: the dashboard and admin API behind a view and a control policy.</summary>
public sealed class Endpoints : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration)
            .ConfigureBreakers((name, o) => o.CollectStatistics = true); // rolling statistics for the dashboard
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy("ops", p => p.RequireRole("ops"));             // may isolate, disable, reset
            o.AddPolicy("ops-viewers", p => p.RequireAuthenticatedUser()); // may look
        });
        var app = builder.Build();
        app.MapFusebox("/fusebox", o =>
        {
            o.ControlPolicy = "ops";
            o.ViewPolicy = "ops-viewers";
        });
        // snippet:end
    }
}
