namespace Fusebox.Internal;

/// <summary>The result of an operation that returns nothing, so void operations share the generic call path.</summary>
internal readonly struct VoidResult
{
    public static ValueTask<VoidResult> From(ValueTask pending) =>
        pending.IsCompletedSuccessfully ? default : AwaitAsync(pending);

    public static ValueTask Strip(ValueTask<VoidResult> pending) =>
        pending.IsCompletedSuccessfully ? default : new ValueTask(pending.AsTask());

    private static async ValueTask<VoidResult> AwaitAsync(ValueTask pending)
    {
        await pending.ConfigureAwait(false);
        return default;
    }
}
