using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace Fusebox.Tests.Regressions;

/// <summary>
/// The nullability attributes on <see cref="CallOutcome{T}"/> are promises the compiler relies on: a
/// <c>[MemberNotNullWhen(v, m)]</c> on a property must hold for every kind of outcome (issue 12, item 10: HasValue
/// promised an exception whenever it was false, which a rejection does not have).
/// </summary>
public class OutcomeNullabilityTests
{
    public static TheoryData<string> Kinds => ["value", "exception", "rejected", "rejected-with-retry-after"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_member_not_null_when_promise_holds(string kind)
    {
        var outcome = kind switch
        {
            "value" => CallOutcome<string>.FromValue("v"),
            "exception" => CallOutcome<string>.FromException(new InvalidOperationException()),
            "rejected" => CallOutcome<string>.Rejected("b", BreakerState.Open, null),
            _ => CallOutcome<string>.Rejected("b", BreakerState.Open, TimeSpan.FromSeconds(1)),
        };

        foreach (var property in typeof(CallOutcome<string>).GetProperties().Where(p => p.PropertyType == typeof(bool)))
        {
            foreach (var promise in property.GetCustomAttributes<MemberNotNullWhenAttribute>())
            {
                if ((bool)property.GetValue(outcome)! != promise.ReturnValue)
                {
                    continue;
                }

                foreach (var member in promise.Members)
                {
                    Assert.True(typeof(CallOutcome<string>).GetProperty(member)!.GetValue(outcome) is not null,
                        $"{property.Name} == {promise.ReturnValue} promises {member} is not null, but it is null for a {kind} outcome");
                }
            }
        }
    }

    [Fact]
    public void An_exception_outcome_can_be_told_apart_without_a_null_check()
    {
        var outcome = CallOutcome<int>.FromException(new InvalidOperationException("boom"));
        Assert.False(CallOutcome<int>.Rejected("b", BreakerState.Open, null).IsFaulted);
        Assert.True(outcome.IsFaulted);
        Assert.Equal("boom", outcome.Exception.Message); // compiles without a warning: IsFaulted promised it
    }
}
