// The example of src/Fusebox.Testing/README.md (the package's README on nuget.org).

using Fusebox;
using Fusebox.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Fusebox.Testing.Tests.Guide;

public class PackageReadmeTests
{
    [Fact]
    public async Task The_package_readme_example_runs()
    {
        var time = new FakeTimeProvider();
        var breaker = TestBreakers.Create(time);
        using var transitions = new TransitionRecorder(breaker);

        breaker.ForceOpen(TimeSpan.FromSeconds(5));      // rejected, RetryAfter 5 s
        time.Advance(TimeSpan.FromSeconds(5));           // the break is over: the next call is a probe
        await breaker.ExecuteAsync(ct => ValueTask.FromResult(42));
        transitions.AssertTransitions(BreakerState.Open, BreakerState.HalfOpen);
    }
}
