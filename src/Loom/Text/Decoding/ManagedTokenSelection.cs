using Loom.Core;

namespace Loom.Text.Decoding;

/// <summary>
/// <see cref="TokenSelector"/>'s choice computed in managed code over float32 rows already in memory: the argmax (ties to
/// the lowest id), or the index maximising exp(s − max) / q for exponential draws q — the exponential race that
/// libtorch's <c>multinomial</c> runs for one sample, so the caller passes the same generator's draws and the same seed
/// picks the same tokens as the tensor path — plus log-softmax values for the chosen token and the top alternatives.
/// </summary>
/// <remarks>
/// At batch 1 on the CPU the dozen small kernels of the tensor path cost more than the arithmetic (a char model's
/// vocabulary is 65 entries); this path reads each row twice and allocates only the result arrays.
/// </remarks>
internal static class ManagedTokenSelection
{
    public static SelectedTokens Select(ReadOnlySpan<float> scores, ReadOnlySpan<float> logProbScores, int batch, int vocabulary,
        ReadOnlySpan<float> exponentialDraws, int topLogProbs)
    {
        var tokens = new long[batch];
        var logProbs = new double[batch];
        int alternatives = Math.Min(topLogProbs, vocabulary);
        var topTokens = alternatives > 0 ? new long[batch * alternatives] : null;
        var topValues = alternatives > 0 ? new double[batch * alternatives] : null;
        for (int b = 0; b < batch; b++)
        {
            var row = scores.Slice(b * vocabulary, vocabulary);
            int token = exponentialDraws.IsEmpty ? Argmax(row) : ExponentialRace(row, exponentialDraws.Slice(b * vocabulary, vocabulary));
            tokens[b] = token;
            var logRow = logProbScores.Slice(b * vocabulary, vocabulary);
            double logZ = LogSumExp(logRow);
            logProbs[b] = (float)(logRow[token] - logZ);
            if (alternatives > 0)
                TopK(logRow, logZ, topTokens.AsSpan(b * alternatives, alternatives), topValues.AsSpan(b * alternatives, alternatives));
        }
        return new SelectedTokens(tokens, logProbs, topTokens, topValues, alternatives);
    }

    /// <summary>The first index of the largest value; a NaN or a row without a finite value is an error.</summary>
    private static int Argmax(ReadOnlySpan<float> row)
    {
        int best = 0;
        float max = float.NegativeInfinity;
        for (int i = 0; i < row.Length; i++)
        {
            float v = row[i];
            if (float.IsNaN(v)) throw NoFiniteValue();
            if (v > max) { max = v; best = i; }
        }
        if (float.IsNegativeInfinity(max)) throw NoFiniteValue();
        return best;
    }

    private static int ExponentialRace(ReadOnlySpan<float> row, ReadOnlySpan<float> draws)
    {
        float max = row[Argmax(row)];
        int best = 0;
        float bestValue = float.NegativeInfinity;
        for (int i = 0; i < row.Length; i++)
        {
            float ratio = MathF.Exp(row[i] - max) / draws[i];
            if (ratio > bestValue) { bestValue = ratio; best = i; }
        }
        return best;
    }

    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row) if (v > max) max = v;
        if (!float.IsFinite(max)) return max;
        double sum = 0;
        foreach (float v in row) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    /// <summary>The <paramref name="ids"/>.Length largest values of <paramref name="row"/>, best first (ties: lower id
    /// first), as log-softmax values.</summary>
    private static void TopK(ReadOnlySpan<float> row, double logZ, Span<long> ids, Span<double> values)
    {
        int filled = 0;
        for (int i = 0; i < row.Length; i++)
        {
            float v = row[i];
            if (filled == ids.Length && !(v > row[(int)ids[filled - 1]])) continue;
            int at = Math.Min(filled, ids.Length - 1);
            while (at > 0 && v > row[(int)ids[at - 1]])
            {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = i;
            if (filled < ids.Length) filled++;
        }
        for (int j = 0; j < ids.Length; j++)
            values[j] = (float)(row[(int)ids[j]] - logZ);
    }

    private static LoomUsageException NoFiniteValue() =>
        new("a row of scores has no finite value: every token was removed, or the scores hold NaN");
}
