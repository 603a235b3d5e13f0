namespace Fusebox;

/// <summary>Why a circuit breaker changed state.</summary>
public enum TransitionReason
{
    /// <summary>The breaker was created (no transition yet).</summary>
    Created = 0,

    /// <summary>The consecutive-failure threshold was reached.</summary>
    ConsecutiveFailures,

    /// <summary>The failure rate over the window reached its threshold.</summary>
    FailureRate,

    /// <summary>The slow-call rate over the window reached its threshold.</summary>
    SlowCallRate,

    /// <summary>The break duration elapsed and the first call after it moved the breaker to half-open.</summary>
    BreakElapsed,

    /// <summary>Enough half-open probes succeeded.</summary>
    ProbesSucceeded,

    /// <summary>A half-open probe failed.</summary>
    ProbeFailed,

    /// <summary>An operator isolated the breaker.</summary>
    ManualIsolate,

    /// <summary>An operator disabled the breaker.</summary>
    ManualDisable,

    /// <summary>An operator reset the breaker.</summary>
    ManualReset,

    /// <summary>The state was adopted from another replica or an external store.</summary>
    External,

    /// <summary>The member's <see cref="BreakerGroup"/> ejected it: its success rate was far below its peers'.</summary>
    Outlier,
}
