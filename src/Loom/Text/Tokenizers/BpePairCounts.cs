namespace Loom.Text.Tokenizers;

/// <summary>
/// The state of BPE training: every distinct pre-tokenized piece as a symbol sequence with its frequency, how often
/// each adjacent pair occurs (weighted by frequency), which pieces hold each pair, and a max-heap of pairs.
/// A merge only revisits the pieces that hold the merged pair, so training costs about the text's size, not
/// size × merges. Ties in frequency go to the pair whose (left, right) token strings sort first (ordinal).
/// </summary>
internal sealed class BpePairCounts
{
    private readonly List<int[]> _words = [];
    private readonly List<long> _wordCounts = [];
    private readonly Dictionary<long, long> _pairCounts = [];
    private readonly Dictionary<long, HashSet<int>> _pairWords = [];
    private readonly PriorityQueue<long, (long Count, long Pair)> _heap;

    /// <param name="tokens">Token strings by id (grows as merges add tokens); only read for tie-breaking.</param>
    public BpePairCounts(IReadOnlyList<string> tokens)
    {
        _heap = new PriorityQueue<long, (long, long)>(Comparer<(long Count, long Pair)>.Create((a, b) =>
        {
            int byCount = b.Count.CompareTo(a.Count);
            if (byCount != 0) return byCount;
            var (al, ar) = Split(a.Pair);
            var (bl, br) = Split(b.Pair);
            int byLeft = string.CompareOrdinal(tokens[al], tokens[bl]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(tokens[ar], tokens[br]);
        }));
    }

    /// <summary>Adds a distinct piece (its base symbol ids) that occurs <paramref name="count"/> times; call before the first
    /// merge.</summary>
    public void AddWord(int[] symbols, long count)
    {
        int w = _words.Count;
        _words.Add(symbols);
        _wordCounts.Add(count);
        for (int i = 0; i + 1 < symbols.Length; i++)
            Bump(Key(symbols[i], symbols[i + 1]), count, w);
    }

    /// <summary>Queues every pair; call once after the last <see cref="AddWord"/>.</summary>
    public void Seal()
    {
        foreach (var (pair, count) in _pairCounts)
            _heap.Enqueue(pair, (count, pair));
    }

    /// <summary>The most frequent pair, or false when no pair is left.</summary>
    public bool TryBest(out int left, out int right)
    {
        while (_heap.TryDequeue(out long pair, out var queued))
        {
            if (!_pairCounts.TryGetValue(pair, out long current))
                continue;
            if (current != queued.Count)
            {
                _heap.Enqueue(pair, (current, pair));
                continue;
            }
            (left, right) = Split(pair);
            return true;
        }
        left = right = -1;
        return false;
    }

    /// <summary>Replaces every (left, right) in every piece, left to right, by <paramref name="merged"/> and updates the counts.</summary>
    public void Merge(int left, int right, int merged)
    {
        if (!_pairWords.Remove(Key(left, right), out var holders))
            return;
        var grown = new HashSet<long>();
        foreach (int w in holders)
        {
            var word = _words[w];
            long count = _wordCounts[w];
            var replaced = Replace(word, left, right, merged);
            if (replaced is null)
                continue; // an earlier merge already took this piece's occurrences
            for (int i = 0; i + 1 < word.Length; i++)
                Bump(Key(word[i], word[i + 1]), -count, -1);
            for (int i = 0; i + 1 < replaced.Length; i++)
            {
                long pair = Key(replaced[i], replaced[i + 1]);
                Bump(pair, count, w);
                if (replaced[i] == merged || replaced[i + 1] == merged)
                    grown.Add(pair);
            }
            _words[w] = replaced;
        }
        foreach (long pair in grown)
            if (_pairCounts.TryGetValue(pair, out long count))
                _heap.Enqueue(pair, (count, pair));
    }

    private static int[]? Replace(int[] word, int left, int right, int merged)
    {
        List<int>? result = null;
        for (int i = 0; i < word.Length; i++)
        {
            if (i + 1 < word.Length && word[i] == left && word[i + 1] == right)
            {
                result ??= new List<int>(word[..i]);
                result.Add(merged);
                i++;
            }
            else
                result?.Add(word[i]);
        }
        return result?.ToArray();
    }

    private void Bump(long pair, long delta, int word)
    {
        long count = _pairCounts.GetValueOrDefault(pair) + delta;
        if (count == 0)
            _pairCounts.Remove(pair);
        else
            _pairCounts[pair] = count;
        if (word >= 0)
        {
            if (!_pairWords.TryGetValue(pair, out var holders))
                _pairWords[pair] = holders = [];
            holders.Add(word);
        }
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static (int Left, int Right) Split(long pair) => ((int)(pair >> 32), (int)(uint)pair);
}
