using Loom.Text.Decoding;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Watermarks;

/// <summary>
/// Adds <see cref="WatermarkOptions.Delta"/> to the logits of each row's green tokens (see <see cref="WatermarkGreenList"/>),
/// the soft watermark of Kirchenbauer et al. (2023). Rows shorter than the seeding's context are left alone. The green lists
/// come from the key and the row's last tokens only, so a row gets the same bias alone, in a batch or in a beam.
/// </summary>
public sealed class WatermarkProcessor : ILogitsProcessor
{
    private readonly object gate = new();
    private WatermarkGreenList? lists;

    /// <param name="options">The watermark; validated and copied.</param>
    public WatermarkProcessor(WatermarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options.Clone();
    }

    /// <summary>A copy of the options this processor applies.</summary>
    public WatermarkOptions Options { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        if (inputIds.shape[1] < WatermarkGreenList.ContextWidthOf(Options.Seeding))
            return scores.clone();
        using var scope = torch.NewDisposeScope();
        var rows = DecodingChecks.Rows(inputIds);
        int vocab = checked((int)scores.shape[1]);
        var greenLists = ListsFor(vocab);
        var bias = new float[rows.Length * vocab];
        float delta = (float)Options.Delta;
        for (int r = 0; r < rows.Length; r++)
        {
            if (rows[r].Length < greenLists.ContextWidth)
                continue;
            var green = greenLists.Mask(rows[r]);
            for (int token = 0; token < vocab; token++)
                if (green[token])
                    bias[r * vocab + token] = delta;
        }
        var add = torch.tensor(bias, scores.shape).to(scores.dtype).to(scores.device);
        return scores.add(add).MoveToOuterDisposeScope();
    }

    private WatermarkGreenList ListsFor(int vocab)
    {
        lock (gate)
        {
            if (lists is null || lists.VocabSize != vocab)
                lists = new WatermarkGreenList(Options, vocab);
            return lists;
        }
    }
}
