namespace Fusebox.Tests.Tracing;

/// <summary>
/// ActivityListeners are process-wide: a listener one test attaches to the <c>Fusebox</c> source is seen by every
/// breaker in the process. The tracing tests therefore run alone, after the parallel ones, so that "no listener"
/// really means none and no other test's rejections land on these tests' activities (or the reverse).
/// </summary>
[CollectionDefinition(nameof(TracingCollection), DisableParallelization = true)]
public sealed class TracingCollection;
