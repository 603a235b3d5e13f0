namespace Fusebox.Extensions;

/// <summary>Suggests the known key an unknown one was probably meant to be (<c>FailureThreshhold</c> → <c>FailureThreshold</c>).</summary>
internal static class ClosestKey
{
    // Two edits catch a doubled, dropped or swapped letter without suggesting unrelated keys.
    private const int MaxEdits = 2;

    public static string? Find(string key, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = MaxEdits + 1;
        foreach (string candidate in known)
        {
            int distance = Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    // Levenshtein distance with two rows; configuration keys are short and this runs only for unknown keys.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
