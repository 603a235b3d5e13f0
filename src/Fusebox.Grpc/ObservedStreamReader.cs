using Grpc.Core;

namespace Fusebox.Grpc;

/// <summary>The response stream of a server-streaming or duplex call: its end (status OK) or the exception a read
/// throws is the call's outcome.</summary>
internal sealed class ObservedStreamReader<T>(IAsyncStreamReader<T> inner, ObservedCall call) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        Task<bool> read;
        try
        {
            read = inner.MoveNext(cancellationToken);
        }
        catch (Exception ex)
        {
            call.Ended(ex, cancellationToken);
            throw;
        }

        if (read.IsCompletedSuccessfully)
        {
            // A message already buffered: no state machine for the common case.
            if (!read.Result)
            {
                call.Succeeded();
            }

            return read;
        }

        return ObserveAsync(read, cancellationToken);
    }

    private async Task<bool> ObserveAsync(Task<bool> read, CancellationToken cancellationToken)
    {
        try
        {
            bool more = await read.ConfigureAwait(false);
            if (!more)
            {
                call.Succeeded();
            }

            return more;
        }
        catch (Exception ex)
        {
            call.Ended(ex, cancellationToken);
            throw;
        }
    }
}
