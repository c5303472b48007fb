using System.Numerics;

namespace Platform.Bench.Engine;

/// <summary>
/// An HDR-like log-bucket histogram of non-negative integer values (Stopwatch ticks): values below 256 are exact,
/// larger ones fall in buckets of 128 per power of two, so a reported value is within 1/256 (0.4%) of the true one.
/// Fixed size (about 7,300 counters), no allocation per record, not thread-safe: one per worker, merged at the end.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBuckets = 128;
    private const int ExactLimit = 2 * SubBuckets;
    private const int BucketCount = ExactLimit + (62 - 7) * SubBuckets;

    private readonly long[] counts = new long[BucketCount];

    public long Count { get; private set; }

    public long Min { get; private set; } = long.MaxValue;

    public long Max { get; private set; }

    /// <summary>Sum of the recorded values, exact (for the mean).</summary>
    public double Sum { get; private set; }

    public void Record(long value)
    {
        value = Math.Max(value, 0);
        counts[IndexOf(value)]++;
        Count++;
        Sum += value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] += other.counts[i];
        }

        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at or below which <paramref name="percentile"/> percent of the records fall (0 when empty).</summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                return Math.Clamp(Representative(i), Min, Max);
            }
        }

        return Max;
    }

    internal static int IndexOf(long value)
    {
        if (value < ExactLimit)
        {
            return (int)value;
        }

        var magnitude = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = magnitude - 7;
        var top = (int)(value >> shift);
        return ExactLimit + ((shift - 1) * SubBuckets) + (top - SubBuckets);
    }

    /// <summary>The middle of bucket <paramref name="index"/>.</summary>
    internal static long Representative(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        var shift = ((index - ExactLimit) / SubBuckets) + 1;
        var top = (long)((index - ExactLimit) % SubBuckets) + SubBuckets;
        return (top << shift) + ((1L << shift) / 2);
    }
}
