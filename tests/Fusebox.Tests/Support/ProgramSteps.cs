using System.Text;

namespace Fusebox.Tests.Support;

/// <summary>Runs a model-based test's program step by step, comparing after each, and names the failing step after
/// the trace of the steps that led to it.</summary>
internal static class ProgramSteps
{
    public static void Run(int[] program, int first, Action<int> step, Action compare, StringBuilder trace)
    {
        for (int index = first; index < program.Length; index++)
        {
            try
            {
                step(program[index]);
                compare();
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException($"{trace}step {index} failed: {ex.Message}", ex);
            }
        }
    }
}
