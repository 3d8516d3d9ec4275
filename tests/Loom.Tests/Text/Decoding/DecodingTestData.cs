using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Text.Decoding;

/// <summary>Small tensors and assertions for the decoding tests.</summary>
internal static class DecodingTestData
{
    public const float NegInf = float.NegativeInfinity;

    /// <summary>The row probabilities most warper tests use; their logits are ln p, so softmax gives them back.</summary>
    public static readonly double[] Probs = [0.04, 0.1, 0.4, 0.25, 0.15, 0.06];

    /// <summary>A [rows, V] float32 tensor.</summary>
    public static Tensor Scores(params float[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    /// <summary>[1, V] float32 logits ln p of <paramref name="probs"/>.</summary>
    public static Tensor LogitsOf(double[] probs) => Scores(probs.Select(p => (float)Math.Log(p)).ToArray());

    /// <summary>A [rows, T] int64 tensor.</summary>
    public static Tensor Ids(params long[][] rows) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), [rows.Length, rows[0].Length]);

    /// <summary>An empty-history [rows, 0] int64 tensor.</summary>
    public static Tensor NoIds(int rows = 1) => torch.zeros([rows, 0], ScalarType.Int64);

    public static float[][] Rows(Tensor t)
    {
        var flat = t.to(ScalarType.Float32).contiguous().data<float>().ToArray();
        int cols = (int)t.shape[1];
        return Enumerable.Range(0, (int)t.shape[0]).Select(r => flat.AsSpan(r * cols, cols).ToArray()).ToArray();
    }

    /// <summary>Asserts equal shapes and values (negative infinity must match exactly, others within 1e-5).</summary>
    public static void AssertScores(Tensor actual, params float[][] expected)
    {
        Assert.Equal(new long[] { expected.Length, expected[0].Length }, actual.shape);
        var rows = Rows(actual);
        for (int r = 0; r < expected.Length; r++)
            for (int v = 0; v < expected[r].Length; v++)
            {
                float e = expected[r][v], a = rows[r][v];
                if (float.IsNegativeInfinity(e))
                    Assert.True(float.IsNegativeInfinity(a), $"row {r} token {v}: expected -inf, got {a}");
                else
                    Assert.True(Math.Abs(e - a) <= 1e-5, $"row {r} token {v}: expected {e}, got {a}");
            }
    }

    /// <summary>The token ids of each row whose score is not negative infinity.</summary>
    public static int[][] Kept(Tensor scores) =>
        Rows(scores)
            .Select(r => r.Select((s, i) => (s, i)).Where(x => !float.IsNegativeInfinity(x.s)).Select(x => x.i).ToArray()).ToArray();
}
