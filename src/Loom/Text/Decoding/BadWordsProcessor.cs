using Loom.Core;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Prevents token sequences from being generated, as Hugging Face's <c>NoBadWordsLogitsProcessor</c>: for each
/// sequence, its last token is removed from a row whose tokens end with the rest of the sequence; single-token
/// sequences are removed everywhere.
/// </summary>
public sealed class BadWordsProcessor : ILogitsProcessor
{
    /// <param name="sequences">At least one sequence; each non-empty, of token ids ≥ 0.</param>
    public BadWordsProcessor(IReadOnlyList<int[]> sequences)
    {
        if (sequences is null || sequences.Count == 0)
            throw new LoomUsageException("bad words need at least one token sequence");
        foreach (var sequence in sequences)
        {
            if (sequence is null || sequence.Length == 0)
                throw new LoomUsageException("a bad-words sequence is empty; each needs at least one token id");
            if (sequence.Any(t => t < 0))
                throw new LoomUsageException($"bad-words sequence [{string.Join(", ", sequence)}] holds a negative token id");
        }
        Sequences = sequences.Select(s => (int[])s.Clone()).ToArray();
    }

    public IReadOnlyList<int[]> Sequences { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        long vocab = scores.shape[1];
        var rows = DecodingChecks.Rows(inputIds);
        var banned = new bool[rows.Length * vocab];
        foreach (var sequence in Sequences)
        {
            int last = sequence[^1];
            if (last >= vocab)
                throw new LoomUsageException(
                    $"bad-words sequence [{string.Join(", ", sequence)}] holds token {last}, outside the vocabulary of {vocab} scores");
            for (int r = 0; r < rows.Length; r++)
                if (EndsWith(rows[r], sequence.AsSpan(0, sequence.Length - 1)))
                    banned[r * vocab + last] = true;
        }
        return DecodingChecks.Ban(scores, banned);
    }

    private static bool EndsWith(long[] row, ReadOnlySpan<int> prefix)
    {
        if (prefix.Length > row.Length)
            return false;
        int offset = row.Length - prefix.Length;
        for (int i = 0; i < prefix.Length; i++)
            if (row[offset + i] != prefix[i])
                return false;
        return true;
    }
}
