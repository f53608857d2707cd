using System.Diagnostics;

namespace ContrastiveLab.Bench;

/// <summary>Wall-clock timing: warm-up runs, then the median of timed runs.</summary>
public static class BenchClock
{
    /// <summary>Runs <paramref name="body"/> <paramref name="warmups"/> times untimed, then <paramref name="repeats"/>
    /// times timed; returns the median seconds of one timed run.</summary>
    public static double MedianSeconds(Action body, int warmups, int repeats)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        for (int i = 0; i < warmups; i++)
        {
            body();
        }
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            body();
            times[r] = watch.Elapsed.TotalSeconds;
        }
        return Median(times);
    }

    /// <summary>The median of <paramref name="values"/> (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
