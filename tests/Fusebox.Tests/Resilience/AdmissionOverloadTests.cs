using Fusebox.Tests.Support;

namespace Fusebox.Tests.Resilience;

/// <summary><see cref="ResilientCallerOptions.IsOverloadResult"/> and <see cref="ResilientCallerOptions.IsOverloadException"/>:
/// what the admission stage hears of an attempt that the dependency refused.</summary>
public class AdmissionOverloadTests
{
    private const int Busy = 429;

    [Fact]
    public async Task A_result_the_predicate_calls_overloaded_exits_as_overloaded_and_others_as_succeeded()
    {
        var (breaker, _) = TestBreakers.Create();
        var stage = new RecordingAdmission(slots: 1);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Admission = stage,
            Retry = new RetryOptions { MaxAttempts = 1 },
            IsOverloadResult = ResultPredicate.Handle<int>(status => status == Busy),
        });

        var busy = await caller.ExecuteAsync(_ => new ValueTask<int>(Busy));
        var ok = await caller.ExecuteAsync(_ => new ValueTask<int>(200));

        Assert.Equal(Busy, busy.Value); // the caller still gets the result: the predicate only informs the stage
        Assert.Equal(200, ok.Value);
        Assert.Equal([AdmissionOutcome.Overloaded, AdmissionOutcome.Succeeded], stage.Exits);
        Assert.Equal(0, breaker.Snapshot().FailedCalls); // and it decides nothing for the breaker
    }

    [Fact]
    public async Task An_exception_the_predicate_calls_overloaded_exits_as_overloaded_and_every_retry_is_heard()
    {
        var (breaker, _) = TestBreakers.Create();
        var stage = new RecordingAdmission(slots: 1);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Admission = stage,
            Retry = ResilienceTestSupport.NoJitter(attempts: 3, baseMs: 0),
            IsOverloadException = ex => ex is InvalidOperationException { Message: "exhausted" },
        });
        int call = 0;

        await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => caller.ExecuteAsync<int>(_ => ++call switch
        {
            1 => throw new InvalidOperationException("exhausted"),
            2 => throw new InvalidOperationException("other"),
            _ => throw new TimeZoneNotFoundException(),
        }).AsTask());

        Assert.Equal([AdmissionOutcome.Overloaded, AdmissionOutcome.Failed, AdmissionOutcome.Failed], stage.Exits);
    }

    [Fact]
    public async Task A_hedged_attempt_is_classified_the_same_way()
    {
        var (breaker, _) = TestBreakers.Create();
        var stage = new RecordingAdmission(slots: 2);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Admission = stage,
            Retry = new RetryOptions { MaxAttempts = 1 },
            Hedging = new HedgingOptions { Delay = TimeSpan.FromSeconds(1), MaxHedgedAttempts = 1 },
            IsOverloadResult = ResultPredicate.Handle<int>(status => status == Busy),
        });

        var result = await caller.ExecuteAsync(_ => new ValueTask<int>(Busy));

        Assert.Equal(Busy, result.Value);
        Assert.Equal([AdmissionOutcome.Overloaded], stage.Exits);
    }

    [Fact]
    public async Task A_throwing_predicate_means_not_overloaded_and_never_replaces_the_outcome()
    {
        var (breaker, _) = TestBreakers.Create();
        var stage = new RecordingAdmission(slots: 1);
        var caller = new ResilientCaller(breaker, new ResilientCallerOptions
        {
            Admission = stage,
            Retry = new RetryOptions { MaxAttempts = 1 },
            IsOverloadResult = ResultPredicate.Handle<int>(_ => throw new FormatException()),
            IsOverloadException = _ => throw new FormatException(),
        });

        var returned = await caller.ExecuteAsync(_ => new ValueTask<int>(7));
        await Assert.ThrowsAsync<TimeZoneNotFoundException>(() => caller.ExecuteAsync<int>(_ => throw new TimeZoneNotFoundException()).AsTask());

        Assert.Equal(7, returned.Value);
        Assert.Equal([AdmissionOutcome.Succeeded, AdmissionOutcome.Failed], stage.Exits);
    }

    [Fact]
    public void An_asynchronous_overload_result_predicate_is_refused_naming_the_option()
    {
        var (breaker, _) = TestBreakers.Create();

        var ex = Assert.Throws<ArgumentException>(() => new ResilientCaller(breaker, new ResilientCallerOptions
        {
            IsOverloadResult = ResultPredicate.HandleAsync<int>((_, _) => ValueTask.FromResult(true)),
        }));

        Assert.Equal("ResilientCallerOptions.IsOverloadResult", ex.ParamName);
        Assert.Contains("synchronous", ex.Message, StringComparison.Ordinal);
    }
}
