using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Forbids repeating any n-gram: a token is removed when the row's last n − 1 tokens followed by it form an n-gram that
/// already occurs in the row. With n = 1 every token seen so far is removed. Matches Hugging Face's
/// <c>NoRepeatNGramLogitsProcessor</c> (nothing is removed while the row is shorter than n − 1 tokens).
/// </summary>
public sealed class NoRepeatNGramProcessor : ILogitsProcessor
{
    /// <param name="n">The n-gram size, at least 1.</param>
    /// <param name="padTokenId">Tokens with this id (left padding) are dropped from the row before looking for n-grams.</param>
    public NoRepeatNGramProcessor(int n, int? padTokenId = null)
    {
        if (n < 1)
            throw new LoomUsageException($"no-repeat n-gram size must be at least 1 (got {n})");
        N = n;
        PadTokenId = padTokenId;
    }

    public int N { get; }
    public int? PadTokenId { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        var rows = DecodingChecks.Rows(inputIds, PadTokenId);
        long vocab = scores.shape[1];
        var banned = new bool[rows.Length * vocab];
        for (int r = 0; r < rows.Length; r++)
            foreach (long token in BannedTokens(rows[r]))
            {
                if (token < 0 || token >= vocab)
                    throw new LoomUsageException($"inputIds holds token {token}, outside the vocabulary of {vocab} scores");
                banned[r * vocab + token] = true;
            }
        return DecodingChecks.Ban(scores, banned);
    }

    /// <summary>The tokens that would complete an n-gram already present in <paramref name="row"/>.</summary>
    private IEnumerable<long> BannedTokens(long[] row)
    {
        int length = row.Length, context = N - 1;
        if (length < context)
            yield break;
        var suffix = row.AsSpan(length - context, context).ToArray();
        for (int start = 0; start + N <= length; start++)
            if (row.AsSpan(start, context).SequenceEqual(suffix))
                yield return row[start + context];
    }
}
