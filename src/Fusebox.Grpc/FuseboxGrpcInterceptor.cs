using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Fusebox.Grpc;

/// <summary>
/// A gRPC client interceptor that runs every call — unary (blocking or async), server streaming, client streaming and
/// duplex — through a circuit breaker of a <see cref="CircuitBreakerRegistry"/>, one per service or per method. The
/// breaker sees one logical call: gRPC's own retries and hedging happen inside it, and a streaming call counts once,
/// with its final status. While the breaker is open calls are not sent: they fail with an <see cref="RpcException"/>
/// of status <see cref="StatusCode.Unavailable"/> carrying the trailers described on <see cref="FuseboxGrpcRejection"/>.
/// </summary>
/// <remarks>
/// When is a call over: a unary or client-streaming call when its response arrives or fails; a server-streaming or
/// duplex call when a read of its response stream returns false (status OK) or throws. A call the caller disposes
/// before that counts with its final status if it has one, and is released (counted as ignored) if it was still
/// running. A call neither finished nor disposed reports nothing. Breakers are looked up in the registry on every
/// call (a lock-free read), so a breaker the registry evicts or an operator replaces is never used again.
/// </remarks>
public sealed class FuseboxGrpcInterceptor : Interceptor
{
    /// <summary>The breaker name prefix when <see cref="FuseboxGrpcInterceptorOptions.BreakerName"/> is not set.</summary>
    public const string DefaultBreakerName = "grpc";

    // Service or method name → breaker name, so the concatenation is paid once per name. Bounded: names beyond this
    // (only a client that makes up method names would get there) are built per call instead of growing the cache.
    private const int MaxCachedNames = 4096;

    private readonly CircuitBreakerRegistry _registry;
    private readonly GrpcOutcomeClassifier _classifier;
    private readonly GrpcBreakerScope _scope;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    /// <summary>Creates the interceptor; use it with <c>channel.Intercept(interceptor)</c>.</summary>
    /// <param name="registry">Where the breakers live, and the clock they run on.</param>
    /// <param name="options">Options (validated now); null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public FuseboxGrpcInterceptor(CircuitBreakerRegistry registry, FuseboxGrpcInterceptorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        options ??= new FuseboxGrpcInterceptorOptions();
        options.Validate();
        _registry = registry;
        _classifier = new GrpcOutcomeClassifier(options);
        _scope = options.Scope;
        _prefix = options.BreakerName ?? DefaultBreakerName;
    }

    /// <summary>The name of the breaker that guards <paramref name="method"/>: <c>{BreakerName}/{package.Service}</c>,
    /// or <c>{BreakerName}/{package.Service}/{Method}</c> per method.</summary>
    public string BreakerNameFor(IMethod method)
    {
        ArgumentNullException.ThrowIfNull(method);
        string key = _scope == GrpcBreakerScope.PerService ? method.ServiceName : method.FullName;
        if (_names.TryGetValue(key, out var name))
        {
            return name;
        }

        name = _scope == GrpcBreakerScope.PerService ? $"{_prefix}/{method.ServiceName}" : $"{_prefix}/{method.ServiceName}/{method.Name}";
        return _names.Count < MaxCachedNames ? _names.GetOrAdd(key, name) : name;
    }

    /// <summary>The breaker that guards <paramref name="method"/>, from the registry (created if needed).</summary>
    /// <exception cref="InvalidOperationException">The registry is full and none of its breakers is idle.</exception>
    public CircuitBreaker BreakerFor(IMethod method) => _registry.GetOrAdd(BreakerNameFor(method));

    /// <inheritdoc/>
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (!TryAdmit(context.Method, out var permit, out var rejection))
        {
            throw rejection;
        }

        var callerToken = context.Options.CancellationToken;
        try
        {
            var response = continuation(request, context);
            permit.RecordSuccess();
            return response;
        }
        catch (Exception ex) when (ReportAndRethrow(permit, ex, callerToken))
        {
            throw; // not reached: the filter reports and returns false, so the exception leaves with its stack intact
        }
    }

    /// <inheritdoc/>
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Guard(context.Method, context.Options.CancellationToken, (request, context, continuation), RejectedCall<TRequest, TResponse>.Unary,
            static (s, permit, classifier, token) => new ObservedUnaryCall<TResponse>(s.continuation(s.request, s.context), permit, classifier, token).ToCall());

    /// <inheritdoc/>
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Guard(context.Method, context.Options.CancellationToken, (request, context, continuation), RejectedCall<TRequest, TResponse>.ServerStreaming,
            static (s, permit, classifier, token) => new ObservedServerStreamingCall<TResponse>(s.continuation(s.request, s.context), permit, classifier, token).ToCall());

    /// <inheritdoc/>
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Guard(context.Method, context.Options.CancellationToken, (context, continuation), RejectedCall<TRequest, TResponse>.ClientStreaming,
            static (s, permit, classifier, token) => new ObservedClientStreamingCall<TRequest, TResponse>(s.continuation(s.context), permit, classifier, token).ToCall());

    /// <inheritdoc/>
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Guard(context.Method, context.Options.CancellationToken, (context, continuation), RejectedCall<TRequest, TResponse>.Duplex,
            static (s, permit, classifier, token) => new ObservedDuplexCall<TRequest, TResponse>(s.continuation(s.context), permit, classifier, token).ToCall());

    /// <summary>The shape of every asynchronous call: admit or reject, start the call under the permit, and report a
    /// start that throws. The state is a value tuple and the delegates are static (cached by the compiler), so a call
    /// allocates no closure.</summary>
    private TCall Guard<TState, TCall>(IMethod method, CancellationToken callerToken, TState state, Func<RpcException, TCall> reject,
        Func<TState, CircuitPermit, GrpcOutcomeClassifier, CancellationToken, TCall> start)
    {
        if (!TryAdmit(method, out var permit, out var rejection))
        {
            return reject(rejection);
        }

        try
        {
            return start(state, permit, _classifier, callerToken);
        }
        catch (Exception ex) when (ReportAndRethrow(permit, ex, callerToken))
        {
            throw; // not reached, as in BlockingUnaryCall
        }
    }

    private bool TryAdmit(IMethod method, out CircuitPermit permit, out RpcException rejection)
    {
        CircuitBreaker breaker;
        try
        {
            breaker = BreakerFor(method);
        }
        catch (InvalidOperationException ex)
        {
            // The registry is full (its MaxBreakers) and nothing is idle: a capacity limit of this process, not an
            // outage of the service, so it is not a breaker rejection (no fusebox-breaker trailer) and is not counted.
            // It fails the call in the caller's own exception type instead of throwing an unexpected one at it.
            permit = default;
            rejection = new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Fusebox could not create the circuit breaker '{BreakerNameFor(method)}': {ex.Message} The call was not sent.", ex));
            return false;
        }

        if (breaker.TryAcquire(out permit, out var retryAfter))
        {
            rejection = null!;
            return true;
        }

        rejection = FuseboxGrpcRejection.Create(breaker, breaker.State, retryAfter);
        return false;
    }

    /// <summary>Reports a call that threw before it was observed; returns false so the exception filter lets it through.</summary>
    private bool ReportAndRethrow(in CircuitPermit permit, Exception exception, CancellationToken callerToken)
    {
        GrpcOutcomeClassifier.Report(permit, _classifier.Classify(exception, callerToken.IsCancellationRequested), exception);
        return false;
    }
}
