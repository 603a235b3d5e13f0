using System.Runtime.CompilerServices;

namespace Fusebox.Internal;

/// <summary>
/// A small number per live thread, from 1 up, reused after a thread ends: the index of the thread's slot in
/// per-thread tables such as <see cref="CallCounters"/>. Numbers stay dense (bounded by the most threads alive at
/// once, not by how many ever ran), so the tables stay small. Why an int and not a thread-static object: reading a
/// primitive thread static is one load after the runtime's thread-local lookup, the shortest path to a per-thread slot.
/// </summary>
internal static class ThreadIndex
{
    // Alone in this class on purpose: a type whose only static is one primitive thread static gets the JIT's
    // shortest thread-static access (a fixed offset in the thread's block), which other statics here would lose.
    [ThreadStatic]
    private static int t_index;

    /// <summary>This thread's number, or 0 before <see cref="Assign"/>.</summary>
    public static int Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => t_index;
    }

    /// <summary>Gives this thread its number (once; later calls return it).</summary>
    public static int Assign()
    {
        if (t_index == 0)
        {
            t_index = Numbers.Take();
        }

        return t_index;
    }

    private static class Numbers
    {
        private static readonly Lock s_lock = new();
        private static readonly Stack<int> s_free = new();
        private static int s_highest;

        // Keeps the number while the thread lives; when the thread ends its thread statics die with it, and the
        // finalizer hands the number back. The ended thread never writes its slots again, so the next thread given
        // the number can take them over as their only writer.
        [ThreadStatic]
        private static Releaser? t_releaser;

        public static int Take()
        {
            int index;
            lock (s_lock)
            {
                index = s_free.TryPop(out int free) ? free : ++s_highest;
            }

            t_releaser = new Releaser(index);
            return index;
        }

        private sealed class Releaser(int index)
        {
            ~Releaser()
            {
                lock (s_lock)
                {
                    s_free.Push(index);
                }
            }
        }
    }
}
