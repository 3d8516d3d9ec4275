namespace Loom.Models.Markov;

/// <summary>
/// The count tables of an n-gram model and its smoothed conditional distributions. Everything derives from the
/// highest-order counts c(h, w) (text is padded with n-1 begin tokens, so every token has a full context):
/// lower orders use Kneser-Ney continuation counts N1+(• h w). Context keys are strings with one char per token id.
/// </summary>
public sealed class NGramCounts
{
    /// <summary>Followers of one context: count per next token and their total.</summary>
    public sealed class Followers
    {
        public Dictionary<int, long> Next { get; } = [];
        public long Total { get; private set; }

        public void Add(int token, long count)
        {
            Next[token] = Next.GetValueOrDefault(token) + count;
            Total += count;
        }
    }

    private readonly Dictionary<string, Followers>[] tables; // index m-1: contexts of length m-1
    private readonly NGramOptions options;
    private readonly int vocabularySize;

    private NGramCounts(NGramOptions options, int vocabularySize)
    {
        this.options = options;
        this.vocabularySize = vocabularySize;
        tables = Enumerable.Range(0, options.Order).Select(_ => new Dictionary<string, Followers>(StringComparer.Ordinal)).ToArray();
    }

    public int Order => options.Order;

    /// <summary>Tokens counted between two progress reports (and cancellation checks).</summary>
    private const int ReportEvery = 1 << 16;

    /// <summary>
    /// Counts every n-gram of <paramref name="ids"/> (begin-padded) and derives the lower orders, reporting the tokens
    /// counted every 65,536 tokens and at the end, and stopping with <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static NGramCounts FromTokens(ReadOnlySpan<int> ids, NGramOptions options, int vocabularySize,
        IProgress<NGramFitProgress>? progress = null, CancellationToken cancellation = default)
    {
        var padded = new char[options.Order - 1 + ids.Length];
        for (int i = 0; i < ids.Length; i++) padded[options.Order - 1 + i] = (char)ids[i];
        return FromPadded(padded, options, vocabularySize, progress, cancellation);
    }

    /// <summary>
    /// As <see cref="FromTokens"/>, from the token ids as chars after n-1 begin tokens ((char)0). Context keys are looked
    /// up by span, so only a context seen for the first time allocates a string.
    /// </summary>
    public static NGramCounts FromPadded(char[] padded, NGramOptions options, int vocabularySize,
        IProgress<NGramFitProgress>? progress = null, CancellationToken cancellation = default)
    {
        var counts = new NGramCounts(options, vocabularySize);
        int n = options.Order;
        long total = padded.LongLength - (n - 1);
        var top = counts.tables[n - 1].GetAlternateLookup<ReadOnlySpan<char>>();
        for (int i = n - 1; i < padded.Length; i++)
        {
            long counted = i - (n - 1);
            if (counted % ReportEvery == 0 && counted > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                progress?.Report(new NGramFitProgress(counted, total));
            }
            var context = padded.AsSpan(i - n + 1, n - 1);
            if (!top.TryGetValue(context, out var followers))
                top[context] = followers = new Followers();
            followers.Add(padded[i], 1);
        }
        cancellation.ThrowIfCancellationRequested();
        counts.DeriveLowerOrders();
        progress?.Report(new NGramFitProgress(total, total));
        return counts;
    }

    /// <summary>Rebuilds from stored highest-order entries (context ids [entries, n-1], next ids, counts).</summary>
    public static NGramCounts FromEntries(NGramOptions options, int vocabularySize,
        IEnumerable<(int[] Context, int Next, long Count)> entries)
    {
        var counts = new NGramCounts(options, vocabularySize);
        var top = counts.tables[options.Order - 1];
        foreach (var (context, next, count) in entries)
            GetOrAdd(top, new string(context.Select(c => (char)c).ToArray())).Add(next, count);
        counts.DeriveLowerOrders();
        return counts;
    }

    /// <summary>The highest-order entries, in a deterministic order, for saving.</summary>
    public IEnumerable<(string Context, int Next, long Count)> TopEntries() =>
        tables[Order - 1].OrderBy(t => t.Key, StringComparer.Ordinal)
            .SelectMany(t => t.Value.Next.OrderBy(kv => kv.Key).Select(kv => (t.Key, kv.Key, kv.Value)));

    private void DeriveLowerOrders()
    {
        for (int m = Order - 1; m >= 1; m--)
        {
            var lower = tables[m - 1];
            foreach (var (context, followers) in tables[m])
            {
                var shorter = context[1..];
                var target = GetOrAdd(lower, shorter);
                foreach (var token in followers.Next.Keys)
                    target.Add(token, 1); // one more distinct left extension v of (shorter, token)
            }
        }
    }

    /// <summary>P(w | context) for every token id (index 0, the begin token, gets 0). <paramref name="context"/> holds the last n-1
    /// ids.</summary>
    public double[] Distribution(ReadOnlySpan<int> context)
    {
        var key = Key(context);
        int v = vocabularySize;
        var p = new double[v];
        if (options.Smoothing == NGramSmoothing.AddK)
        {
            tables[Order - 1].TryGetValue(key, out var f);
            double denominator = (f?.Total ?? 0) + options.K * (v - 1);
            for (int w = 1; w < v; w++) p[w] = options.K / denominator;
            if (f is not null)
                foreach (var (w, c) in f.Next) p[w] += c / denominator;
            return p;
        }
        for (int w = 1; w < v; w++) p[w] = 1.0 / (v - 1); // order 0: uniform over predictable tokens
        for (int m = 1; m <= Order; m++)
        {
            if (!tables[m - 1].TryGetValue(key[(Order - m)..], out var f) || f.Total == 0)
                continue; // unseen context: keep the lower-order distribution
            double d = options.Discount;
            double backoff = d * f.Next.Count / f.Total;
            for (int w = 1; w < v; w++) p[w] *= backoff;
            foreach (var (w, c) in f.Next) p[w] += Math.Max(c - d, 0) / f.Total;
        }
        return p;
    }

    /// <summary>P(w | context) for one token, without building the whole distribution.</summary>
    public double Probability(ReadOnlySpan<int> context, int w)
    {
        var key = Key(context);
        int v = vocabularySize;
        if (options.Smoothing == NGramSmoothing.AddK)
        {
            tables[Order - 1].TryGetValue(key, out var f);
            long c = f is null ? 0 : f.Next.GetValueOrDefault(w);
            return (c + options.K) / ((f?.Total ?? 0) + options.K * (v - 1));
        }
        double p = 1.0 / (v - 1);
        for (int m = 1; m <= Order; m++)
        {
            if (!tables[m - 1].TryGetValue(key[(Order - m)..], out var f) || f.Total == 0)
                continue;
            double d = options.Discount;
            p = Math.Max(f.Next.GetValueOrDefault(w) - d, 0) / f.Total + d * f.Next.Count / f.Total * p;
        }
        return p;
    }

    private string Key(ReadOnlySpan<int> context)
    {
        if (context.Length != Order - 1)
            throw new ArgumentException($"context must hold {Order - 1} token ids, got {context.Length}");
        var chars = new char[context.Length];
        for (int i = 0; i < chars.Length; i++) chars[i] = (char)context[i];
        return new string(chars);
    }

    private static Followers GetOrAdd(Dictionary<string, Followers> table, string key)
    {
        if (!table.TryGetValue(key, out var f))
            table[key] = f = new Followers();
        return f;
    }
}
