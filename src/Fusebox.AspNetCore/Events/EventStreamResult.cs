using Microsoft.AspNetCore.Http;

namespace Fusebox.AspNetCore;

/// <summary>
/// The <c>GET /api/events</c> response: the server-sent event stream if a connection slot is free
/// (<see cref="FuseboxEndpointOptions.MaxEventStreamConnections"/>), else 429 problem+json. The slot is taken and
/// given back here, around the whole response, so it is released however the stream ends (client gone, server
/// stopping, a write failing).
/// </summary>
internal sealed class EventStreamResult(BreakerEventStream stream, int maxConnections, RefusalLog refusals) : IResult
{
    /// <summary>Seconds a refused client is told to wait (<c>Retry-After</c>).</summary>
    internal const int RetryAfterSeconds = 10;

    public async Task ExecuteAsync(HttpContext context)
    {
        if (!stream.TryAdmit(maxConnections))
        {
            refusals.Refused(RefusalKind.TooManyStreams, context, $"all {maxConnections} event-stream connections are in use");
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Problems.TooManyStreams(maxConnections).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            await TypedResults.ServerSentEvents(stream.ListenAsync(context.RequestAborted)).ExecuteAsync(context).ConfigureAwait(false);
        }
        finally
        {
            stream.Leave();
        }
    }
}
