using System.Diagnostics;

namespace Fusebox.Tests.Tracing;

/// <summary>
/// A real <see cref="ActivityListener"/> on the <c>Fusebox</c> source and on a source of the test's own that plays the
/// application (an ASP.NET Core request, say): <see cref="StartCall"/> starts the span whose events the test reads.
/// </summary>
internal sealed class TracingListener : IDisposable
{
    public const string AppSourceName = "Fusebox.Tests.App";

    private readonly ActivityListener _listener;

    public TracingListener(ActivitySamplingResult sampling = ActivitySamplingResult.AllDataAndRecorded)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is FuseboxTracing.SourceName or AppSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sampling,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public static ActivitySource App { get; } = new(AppSourceName);

    /// <summary>The application's span around a call; null when the sampler dropped it.</summary>
    public static Activity? StartCall(string name = "call") => App.StartActivity(name);

    public void Dispose() => _listener.Dispose();
}

internal static class ActivityEventReading
{
    public static ActivityEvent Single(this Activity activity, string eventName) => Assert.Single(activity.Events, e => e.Name == eventName);

    public static object? Tag(this ActivityEvent e, string tag) => e.Tags.SingleOrDefault(t => t.Key == tag).Value;

    public static bool HasTag(this ActivityEvent e, string tag) => e.Tags.Any(t => t.Key == tag);
}
