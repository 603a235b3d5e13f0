// snippet:start
using Fusebox.AspNetCore;   // MapFusebox (package Fusebox.AspNetCore)
using Fusebox.Extensions;   // AddFusebox
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.AspNetCore.Builder; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using Microsoft.Extensions.DependencyInjection; // implicit as well

namespace Docs.Tests.Snippets.Operating;

/// <summary>docs/operating.md: the dashboard and admin API behind a control policy.</summary>
public sealed class Endpoints : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireRole("ops")));
        var app = builder.Build();
        app.MapFusebox("/fusebox", o => o.ControlPolicy = "ops");   // .RequireAuthorization(...) on the returned group guards it all
        // snippet:end
    }
}
