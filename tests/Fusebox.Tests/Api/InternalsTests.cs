using System.Runtime.CompilerServices;

namespace Fusebox.Tests.Api;

/// <summary>No package may reach into the core's internals: a newer core must never break an older integration at
/// run time. Integrations build on the public Fusebox.Coordination surface instead.</summary>
public class InternalsTests
{
    [Fact]
    public void The_core_opens_its_internals_to_its_own_tests_only()
    {
        var friends = typeof(CircuitBreaker).Assembly.GetCustomAttributes(typeof(InternalsVisibleToAttribute), false)
            .Cast<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToArray();

        Assert.Equal(["Fusebox.Tests"], friends);
    }

    [Fact]
    public void The_coordination_surface_lives_in_its_own_namespace()
    {
        string[] hooks = ["ApplyExternal", "TryApplyExternal", "GrantProbes", "GetHalfOpenProgress", "ReadCallCounts", "SetCoordination"];

        Assert.DoesNotContain(typeof(CircuitBreaker).GetMethods(), m => m.IsPublic && hooks.Contains(m.Name));
        Assert.All(hooks, h => Assert.Contains(typeof(Coordination.CoordinationExtensions).GetMethods(), m => m.Name == h));
    }
}
