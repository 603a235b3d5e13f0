using Grpc.Core;

namespace Fusebox.Grpc.Tests;

public sealed class OptionsTests
{
    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    public void BreakerName_must_be_non_empty_without_a_slash(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => Create(o => o.BreakerName = name));

        Assert.Equal("BreakerName", error.ParamName);
        Assert.Contains("FuseboxGrpcInterceptorOptions.BreakerName must be non-empty and contain no '/'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scope_must_be_defined()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Create(o => o.Scope = (GrpcBreakerScope)7));

        Assert.Equal("Scope", error.ParamName);
        Assert.Contains("PerService or PerMethod", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StatusCode.OK)]
    [InlineData((StatusCode)17)]
    public void FailureStatusCodes_holds_only_error_codes(StatusCode code)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Create(o => o.FailureStatusCodes.Add(code)));

        Assert.Equal("FailureStatusCodes", error.ParamName);
        Assert.Contains("Cancelled (1) to Unauthenticated (16)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailureStatusCodes_must_not_be_null()
    {
        var error = Assert.Throws<ArgumentNullException>(() => Create(o => o.FailureStatusCodes = null!));

        Assert.Equal("FailureStatusCodes", error.ParamName);
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var options = new FuseboxGrpcInterceptorOptions();

        Assert.Equal(
            [StatusCode.Unknown, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted, StatusCode.Internal, StatusCode.Unavailable],
            options.FailureStatusCodes.Order());
        Assert.Equal(GrpcBreakerScope.PerService, options.Scope);
        Assert.Null(options.BreakerName);
        Assert.Null(options.ShouldHandle);
    }

    [Fact]
    public void Changing_the_options_later_does_not_change_the_interceptor()
    {
        var options = new FuseboxGrpcInterceptorOptions();
        var classifier = new GrpcOutcomeClassifier(options);
        options.FailureStatusCodes.Clear();

        Assert.Equal(GrpcVerdict.Failure, classifier.Classify(new RpcException(new Status(StatusCode.Unavailable, "")), callerCancelled: false));
    }

    private static FuseboxGrpcInterceptor Create(Action<FuseboxGrpcInterceptorOptions> configure)
    {
        var options = new FuseboxGrpcInterceptorOptions();
        configure(options);
        return new FuseboxGrpcInterceptor(new CircuitBreakerRegistry(), options);
    }
}
