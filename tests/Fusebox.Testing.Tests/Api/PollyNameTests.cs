using System.Reflection;
using Fusebox.Tests.Shared;

namespace Fusebox.Testing.Tests.Api;

public class PollyNameTests : PollyNameTestsBase
{
    protected override IEnumerable<Assembly> FuseboxAssemblies => [typeof(TransitionRecorder).Assembly];
}
