using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// CTGAN's conditional vector and training-by-sampling: each row of a batch picks a label column uniformly and a category
/// of it by log-frequency (rare categories are seen more often than they occur); the conditional vector is that one-hot
/// over all label columns' categories, the mask marks the column, and the real rows of the batch are drawn among those
/// with that category. Without label columns the vector is empty and real rows are drawn uniformly. Draws come from a
/// <see cref="Random"/> seeded by (seed, step, phase), so a run is reproducible.
/// </summary>
public sealed class CtganConditions
{
    private readonly IReadOnlyList<OutputSpan> spans;
    private readonly int[] offsets;
    private readonly double[][] frequency;
    private int[][][] rowsWith = [];
    private double[][] logFrequency = [];

    /// <summary>The conditional vector of <paramref name="transformer"/>'s label columns, with their categories' frequencies.</summary>
    public CtganConditions(TableTransformer transformer)
    {
        spans = transformer.CategorySpans;
        offsets = new int[spans.Count];
        frequency = new double[spans.Count][];
        int offset = 0;
        for (int c = 0; c < spans.Count; c++)
        {
            offsets[c] = offset;
            offset += spans[c].Width;
            frequency[c] = transformer.Columns[spans[c].Column].Frequencies!.ToArray();
        }
        Width = offset;
    }

    /// <summary>Indexes the training rows (transformed, [count × width]) by their categories, for <see cref="Training"/>.</summary>
    public void IndexRows(float[] rows, int count, int width)
    {
        rowsWith = new int[spans.Count][][];
        logFrequency = new double[spans.Count][];
        for (int c = 0; c < spans.Count; c++)
        {
            var lists = Enumerable.Range(0, spans[c].Width).Select(_ => new List<int>()).ToArray();
            for (int i = 0; i < count; i++)
                for (int k = 0; k < spans[c].Width; k++)
                    if (rows[i * width + spans[c].Start + k] > 0.5f) { lists[k].Add(i); break; }
            rowsWith[c] = lists.Select(l => l.ToArray()).ToArray();
            var logs = lists.Select(l => Math.Log(l.Count + 1.0)).ToArray();
            logFrequency[c] = logs.Select(v => v / logs.Sum()).ToArray();
        }
        RowCount = count;
    }

    /// <summary>The conditional vector's width (0 without label columns).</summary>
    public int Width { get; }
    /// <summary>Training rows indexed (0 before <see cref="IndexRows"/>).</summary>
    public int RowCount { get; private set; }

    /// <summary>A training batch's conditions: the vector, the mask over label columns, and a real row with each condition.</summary>
    public (float[] Vector, float[] Mask, int[] RealRows) Training(int batch, Random random)
    {
        var vector = new float[batch * Width];
        var mask = new float[batch * Math.Max(1, spans.Count)];
        var real = new int[batch];
        for (int i = 0; i < batch; i++)
        {
            if (spans.Count == 0) { real[i] = random.Next(RowCount); continue; }
            int c = random.Next(spans.Count);
            int k = Pick(logFrequency[c], random);
            vector[i * Width + offsets[c] + k] = 1;
            mask[i * spans.Count + c] = 1;
            var with = rowsWith[c][k];
            real[i] = with.Length == 0 ? random.Next(RowCount) : with[random.Next(with.Length)];
        }
        return (vector, mask, real);
    }

    /// <summary>
    /// Vectors for sampling: the requested category on every row, or (none requested) a label column picked uniformly and
    /// a category by its frequency in the data, as CTGAN samples.
    /// </summary>
    public float[] Sampling(int batch, (OutputSpan Span, int Index)? requested, Random random)
    {
        var vector = new float[batch * Width];
        if (spans.Count == 0) return vector;
        for (int i = 0; i < batch; i++)
        {
            if (requested is { } r)
            {
                vector[i * Width + offsets[IndexOf(r.Span)] + r.Index] = 1;
                continue;
            }
            int c = random.Next(spans.Count);
            vector[i * Width + offsets[c] + Pick(frequency[c], random)] = 1;
        }
        return vector;
    }

    /// <summary>
    /// The generator's conditional loss: per row, the cross-entropy of the raw logits of the conditioned column against
    /// the conditioned category, summed over rows and divided by the batch (CTGAN's).
    /// </summary>
    public Tensor CrossEntropy(Tensor raw, Tensor vector, Tensor mask)
    {
        if (spans.Count == 0) return torch.zeros([], raw.dtype, raw.device);
        var losses = new List<Tensor>();
        for (int c = 0; c < spans.Count; c++)
        {
            var target = vector.narrow(1, offsets[c], spans[c].Width).argmax(1);
            losses.Add(nn.functional.cross_entropy(raw.narrow(1, spans[c].Start, spans[c].Width), target, reduction: nn.Reduction.None));
        }
        return (torch.stack(losses, 1) * mask).sum() / raw.shape[0];
    }

    private int IndexOf(OutputSpan span)
    {
        for (int c = 0; c < spans.Count; c++)
            if (spans[c] == span) return c;
        throw new ArgumentException("not a label column's span");
    }

    private static int Pick(double[] probabilities, Random random)
    {
        double u = random.NextDouble();
        for (int k = 0; k < probabilities.Length; k++)
        {
            u -= probabilities[k];
            if (u < 0) return k;
        }
        return probabilities.Length - 1;
    }
}
