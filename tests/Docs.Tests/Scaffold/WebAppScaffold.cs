using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Docs.Tests.Scaffold;

/// <summary>
/// The names of an ASP.NET Core <c>Program.cs</c> that snippets use without declaring them: <c>builder</c> and,
/// in snippets that do not build it themselves, <c>app</c>.
/// </summary>
public abstract class WebAppScaffold
{
    protected WebApplicationBuilder builder { get; } = WebApplication.CreateBuilder();

    protected WebApplication app => _app ??= builder.Build();

    /// <summary>What the snippet registered, for a test to resolve.</summary>
    public IServiceCollection Services => builder.Services;

    private WebApplication? _app;
}
