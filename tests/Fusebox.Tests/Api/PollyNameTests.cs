using System.Reflection;
using Fusebox.Tests.Shared;

namespace Fusebox.Tests.Api;

public class PollyNameTests : PollyNameTestsBase
{
    protected override IEnumerable<Assembly> FuseboxAssemblies => [typeof(CircuitBreaker).Assembly];
}
