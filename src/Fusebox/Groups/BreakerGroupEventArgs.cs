namespace Fusebox;

/// <summary>A decision a <see cref="BreakerGroup"/> reports (<see cref="BreakerGroup.Reported"/>).</summary>
public sealed class BreakerGroupEventArgs : EventArgs
{
    internal BreakerGroupEventArgs(string group, BreakerGroupEventKind kind, string? memberKey, string? memberName, string description, DateTimeOffset at)
    {
        Group = group;
        Kind = kind;
        MemberKey = memberKey;
        MemberName = memberName;
        Description = description;
        At = at;
    }

    /// <summary>The group's name.</summary>
    public string Group { get; }

    /// <summary>What happened.</summary>
    public BreakerGroupEventKind Kind { get; }

    /// <summary>The member's key, for <see cref="BreakerGroupEventKind.OutlierEjected"/> and <see cref="BreakerGroupEventKind.WouldHaveOpened"/>; null for panic.</summary>
    public string? MemberKey { get; }

    /// <summary>The member breaker's name (<c>{group}/{key}</c>); null for panic.</summary>
    public string? MemberName { get; }

    /// <summary>Why, in words: the trip's or the outlier test's numbers, or the health count.</summary>
    public string Description { get; }

    /// <summary>When, on the group's clock.</summary>
    public DateTimeOffset At { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Group}: {Kind}{(MemberKey is null ? "" : $" {MemberKey}")} ({Description})";
}
