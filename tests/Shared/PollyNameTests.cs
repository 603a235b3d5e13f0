using System.Reflection;
using Xunit;

namespace Fusebox.Tests.Shared;

/// <summary>
/// A team that imports both <c>Fusebox</c> and Polly's namespaces must never see a type name twice (CS0104), nor
/// catch the wrong library's exception because both call it the same. Linked into each test project, which names the
/// Fusebox assemblies it checks.
/// </summary>
public abstract class PollyNameTestsBase
{
    protected abstract IEnumerable<Assembly> FuseboxAssemblies { get; }

    [Fact]
    public void No_public_Fusebox_type_shares_a_name_with_a_public_Polly_type()
    {
        var polly = typeof(global::Polly.ResiliencePipeline).Assembly.GetExportedTypes().Select(t => t.Name).ToHashSet();

        var clashes = FuseboxAssemblies.SelectMany(a => a.GetExportedTypes()).Where(t => polly.Contains(t.Name)).Select(t => t.FullName).ToArray();

        Assert.Empty(clashes);
        Assert.Contains("CircuitState", polly); // the check looks at the right assembly: Polly's own names are there
    }
}
