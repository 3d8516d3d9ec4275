namespace Loom.Text.Tokenizers;

/// <summary>
/// The merge rules of a BPE model: pair of ids → (rank, merged id). <see cref="Apply"/> merges a piece's symbols as HF
/// tokenizers does: always the lowest-ranked pair present, the leftmost one among equals, one merge at a time.
/// </summary>
internal sealed class BpeMergeTable
{
    private readonly Dictionary<long, (int Rank, int MergedId)> _merges;

    public BpeMergeTable(IReadOnlyList<(int Left, int Right, int Merged)> merges)
    {
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right, merged) = merges[rank];
            _merges.TryAdd(Key(left, right), (rank, merged));
        }
    }

    public int Count => _merges.Count;

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Merges <paramref name="symbols"/> (ids of single-byte tokens) and returns the final ids.</summary>
    public int[] Apply(int[] symbols)
    {
        int n = symbols.Length;
        if (n < 2)
            return symbols;
        var ids = (int[])symbols.Clone();
        var next = new int[n];
        var prev = new int[n];
        var alive = new bool[n];
        var queue = new PriorityQueue<int, long>();
        for (int i = 0; i < n; i++)
        {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
            alive[i] = true;
            if (i + 1 < n)
                Offer(queue, ids, i, i + 1);
        }

        while (queue.TryDequeue(out int pos, out long priority))
        {
            int right = next[pos];
            if (!alive[pos] || right < 0)
                continue;
            int rank = (int)(priority >> 32);
            if (!_merges.TryGetValue(Key(ids[pos], ids[right]), out var merge) || merge.Rank != rank)
                continue; // the pair at this position changed since it was queued
            ids[pos] = merge.MergedId;
            alive[right] = false;
            next[pos] = next[right];
            if (next[pos] >= 0)
                prev[next[pos]] = pos;
            if (prev[pos] >= 0)
                Offer(queue, ids, prev[pos], pos);
            if (next[pos] >= 0)
                Offer(queue, ids, pos, next[pos]);
        }

        var result = new List<int>(n);
        for (int i = 0; i >= 0; i = next[i])
            result.Add(ids[i]);
        return result.ToArray();
    }

    private void Offer(PriorityQueue<int, long> queue, int[] ids, int left, int right)
    {
        if (_merges.TryGetValue(Key(ids[left], ids[right]), out var merge))
            queue.Enqueue(left, ((long)merge.Rank << 32) | (uint)left);
    }
}
