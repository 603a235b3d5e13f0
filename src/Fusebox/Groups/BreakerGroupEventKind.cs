namespace Fusebox;

/// <summary>What a <see cref="BreakerGroup"/> reports.</summary>
public enum BreakerGroupEventKind
{
    /// <summary>A member was opened as an outlier: its success rate was far below its peers'.</summary>
    OutlierEjected = 0,

    /// <summary>A member's trip or ejection was refused because the group's open cap was reached: it stays closed.</summary>
    WouldHaveOpened,

    /// <summary>Too few members are healthy: the group panics and no member rejects.</summary>
    PanicEntered,

    /// <summary>Enough members are healthy again: members reject as their own states say.</summary>
    PanicExited,
}
