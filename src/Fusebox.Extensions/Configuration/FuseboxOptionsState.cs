namespace Fusebox.Extensions;

/// <summary>
/// The last valid <c>Fusebox</c> options seen by the validator, and whether any was seen yet. Shared by
/// <see cref="FuseboxOptionsValidator"/> and <see cref="FuseboxConfiguration"/> without making either depend on the other.
/// </summary>
internal sealed class FuseboxOptionsState
{
    private volatile FuseboxOptions? _lastGood;

    public FuseboxOptions? LastGood => _lastGood;

    public bool Started => _lastGood is not null;

    public void Accept(FuseboxOptions options) => _lastGood = options;
}
