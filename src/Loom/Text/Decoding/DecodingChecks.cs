using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>Argument checks and small tensor helpers the logits processors share.</summary>
internal static class DecodingChecks
{
    /// <summary>Throws unless <paramref name="inputIds"/> is [B, T] int64 and <paramref name="scores"/> is [B, V] floating point.</summary>
    public static void Check(Tensor inputIds, Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        ArgumentNullException.ThrowIfNull(scores);
        if (inputIds.dim() != 2 || inputIds.dtype != ScalarType.Int64)
            throw new LoomUsageException($"inputIds must be a [batch, length] int64 tensor (got {Describe(inputIds)})");
        if (scores.dim() != 2 || !torch.is_floating_point(scores))
            throw new LoomUsageException($"scores must be a [batch, vocabulary] floating-point tensor (got {Describe(scores)})");
        if (inputIds.shape[0] != scores.shape[0])
            throw new LoomUsageException($"inputIds has {inputIds.shape[0]} rows but scores has {scores.shape[0]}");
        if (scores.shape[1] == 0)
            throw new LoomUsageException("scores has an empty vocabulary dimension");
    }

    public static string Describe(Tensor t) => $"[{string.Join(", ", t.shape)}] {t.dtype}";

    /// <summary>Throws unless <paramref name="value"/> is finite.</summary>
    public static void RequireFinite(double value, string name)
    {
        if (!double.IsFinite(value))
            throw new LoomUsageException($"{name} must be a finite number (got {value})");
    }

    /// <summary>Throws unless <paramref name="startPosition"/> is not negative.</summary>
    public static void RequireStartPosition(int startPosition)
    {
        if (startPosition < 0)
            throw new LoomUsageException($"startPosition must not be negative (got {startPosition})");
    }

    /// <summary>Throws unless <paramref name="minTokensToKeep"/> is at least 1.</summary>
    public static void RequireMinTokens(int minTokensToKeep)
    {
        if (minTokensToKeep < 1)
            throw new LoomUsageException($"minTokensToKeep must be at least 1 (got {minTokensToKeep})");
    }

    /// <summary>
    /// How often each token occurs in each row of <paramref name="inputIds"/> from position <paramref name="startPosition"/> on,
    /// ignoring <paramref name="padTokenId"/>: a [B, V] tensor in the dtype and on the device of <paramref name="scores"/>.
    /// Throws when a counted id is outside [0, V).
    /// </summary>
    public static Tensor TokenCounts(Tensor inputIds, Tensor scores, int? padTokenId, int startPosition = 0)
    {
        using var scope = torch.NewDisposeScope();
        long vocab = scores.shape[1];
        var ids = inputIds.to(scores.device);
        if (startPosition > 0)
            ids = ids.narrow(1, Math.Min(startPosition, ids.shape[1]), Math.Max(0, ids.shape[1] - startPosition));
        var counts = torch.zeros(scores.shape, scores.dtype, scores.device);
        if (ids.numel() == 0)
            return counts.MoveToOuterDisposeScope();
        var weights = torch.ones(ids.shape, scores.dtype, scores.device);
        if (padTokenId is int pad)
        {
            var isPad = ids.eq(pad);
            weights = weights.masked_fill(isPad, 0);
            ids = ids.masked_fill(isPad, 0);
        }
        RequireInVocabulary(ids, vocab);
        return counts.scatter_add(1, ids, weights).MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless every id is in [0, <paramref name="vocab"/>).</summary>
    public static void RequireInVocabulary(Tensor ids, long vocab)
    {
        if (ids.numel() == 0)
            return;
        long min = ids.min().item<long>(), max = ids.max().item<long>();
        if (min < 0 || max >= vocab)
            throw new LoomUsageException($"inputIds holds token {(min < 0 ? min : max)}, outside the vocabulary of {vocab} scores");
    }

    /// <summary>The rows of <paramref name="inputIds"/> as arrays, with <paramref name="padTokenId"/> positions removed.</summary>
    public static long[][] Rows(Tensor inputIds, int? padTokenId = null)
    {
        using var scope = torch.NewDisposeScope();
        int rows = (int)inputIds.shape[0], cols = (int)inputIds.shape[1];
        var flat = inputIds.contiguous().cpu().data<long>().ToArray();
        var result = new long[rows][];
        for (int r = 0; r < rows; r++)
        {
            var row = flat.AsSpan(r * cols, cols).ToArray();
            result[r] = padTokenId is int pad ? row.Where(t => t != pad).ToArray() : row;
        }
        return result;
    }

    /// <summary>Sets <paramref name="scores"/> to negative infinity where the row-major [B, V] <paramref name="banned"/> flags are
    /// set.</summary>
    public static Tensor Ban(Tensor scores, bool[] banned)
    {
        using var scope = torch.NewDisposeScope();
        var mask = torch.tensor(banned, scores.shape).to(scores.device);
        return scores.masked_fill(mask, double.NegativeInfinity).MoveToOuterDisposeScope();
    }

    /// <summary>A [V] bool mask over the positions of a sorted row, true where a token may be removed: every position but
    /// the last <paramref name="keep"/> (<paramref name="keepAtEnd"/>) or the first <paramref name="keep"/>.</summary>
    public static Tensor Removable(long vocab, int keep, bool keepAtEnd, Device device)
    {
        var positions = torch.arange(vocab, ScalarType.Int64, device);
        return keepAtEnd ? positions.lt(vocab - keep) : positions.ge(keep);
    }
}
