namespace Checkout.Scenario;

/// <summary>Shows progress while a task runs: one line rewritten in place on a terminal, a line every 5 s otherwise.</summary>
public sealed class ProgressLine(TextWriter output)
{
    public async Task ShowUntilAsync(Task work, Func<string> describe)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var every = terminal ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromSeconds(5);
        while (await Task.WhenAny(work, Task.Delay(every)).ConfigureAwait(false) != work)
        {
            if (terminal)
            {
                output.Write("\r" + describe());
            }
            else
            {
                output.WriteLine(describe());
            }
        }

        if (terminal)
        {
            output.WriteLine("\r" + describe());
        }

        await work.ConfigureAwait(false);
    }
}
