// snippet:start
using Fusebox.AspNetCore;
using Fusebox.Extensions;
// snippet:end
using Docs.Tests.Scaffold;
using Microsoft.AspNetCore.Builder; // implicit in an ASP.NET Core app (Microsoft.NET.Sdk.Web)
using Microsoft.Extensions.DependencyInjection; // implicit as well

namespace Docs.Tests.Snippets.Packages;

/// <summary>src/Fusebox.AspNetCore/README.md: the package README of Fusebox.AspNetCore.</summary>
public sealed class AspNetCorePackage : WebAppScaffold
{
    public void Run()
    {
        // snippet:start
        builder.Services.AddFusebox(builder.Configuration);
        builder.Services.AddAuthorization(o => o.AddPolicy("ops", p => p.RequireRole("ops")));
        var app = builder.Build();
        app.MapFusebox("/fusebox", o =>                               // dashboard at /fusebox, API at /fusebox/api/...
        {
            o.ControlPolicy = "ops";   // isolate, disable, reset (refused to everyone without it)
            o.ViewPolicy = "ops";      // the dashboard and the GET endpoints: ANONYMOUS without it
        });
        // snippet:end
    }
}
