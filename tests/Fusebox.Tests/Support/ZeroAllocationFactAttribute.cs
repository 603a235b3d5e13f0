using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Fusebox.Tests.Support;

/// <summary>
/// A <c>[Fact]</c> that asserts an allocation count of the library's hot paths. It runs only when the Fusebox assembly
/// under test was compiled with optimizations (Release, as in CI): without them the compiler keeps async state
/// machines as classes and every await of the composed call path allocates one, so a Debug build allocates where
/// the shipped library does not, and the test would measure the build, not the code. Keyed on how the library was
/// built (its <see cref="DebuggableAttribute"/>), not on a compile symbol of the test project, so a Release test
/// project over a Debug library (or the reverse) still gets it right.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ZeroAllocationFactAttribute : FactAttribute
{
    public const string SkipReason =
        "Allocation assertions hold for the optimized library only: this Fusebox assembly was built without optimizations (Debug). Run `dotnet test -c Release` to include them (CI does).";

    public ZeroAllocationFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = SkipReason;
        SkipType = typeof(ZeroAllocationFactAttribute);
        SkipUnless = nameof(LibraryIsOptimized);
    }

    /// <summary>True when the JIT optimizes the Fusebox assembly: it was compiled with optimizations on.</summary>
    public static bool LibraryIsOptimized { get; } =
        typeof(CircuitBreaker).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is not [DebuggableAttribute { IsJITOptimizerDisabled: true }];
}
