using System.Reflection;
using Fusebox.Tests.Shared;

namespace Fusebox.Polly.Tests;

/// <summary>No public type of Fusebox.Polly repeats a Polly type name (a project using both would get CS0104).</summary>
public class PollyNameTests : PollyNameTestsBase
{
    protected override IEnumerable<Assembly> FuseboxAssemblies => [typeof(FuseboxStrategyOptions).Assembly];
}
