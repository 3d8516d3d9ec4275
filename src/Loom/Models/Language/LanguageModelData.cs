using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language;

/// <summary>How a text becomes training sequences.</summary>
public enum SequenceLayout
{
    /// <summary>One token stream; batches are random windows of context + 1 tokens (nanoGPT). The last 10% is validation.</summary>
    Stream,
    /// <summary>One sequence per line, framed by a delimiter token before and after (makemore's names); padded targets are
    /// ignored.</summary>
    Lines,
}

/// <summary>
/// Tokenized training and validation data for a language model, with nanoGPT-style random windows (stream) or whole
/// framed lines (lines). Batches are a pure function of (seed, step), so resumed runs see the same data.
/// </summary>
public sealed class LanguageModelData
{
    /// <summary>Targets equal to this are not scored (padding of line batches).</summary>
    public const long IgnoreIndex = -1;

    private int[] trainStream = [], validationStream = [];
    private int[][] trainLines = [], validationLines = [];

    private LanguageModelData(SequenceLayout layout) => Layout = layout;

    public SequenceLayout Layout { get; }
    public long TrainTokens => Layout == SequenceLayout.Stream ? trainStream.Length : trainLines.Sum(l => (long)l.Length - 1);
    public long ValidationTokens =>
        Layout == SequenceLayout.Stream ? validationStream.Length : validationLines.Sum(l => (long)l.Length - 1);
    /// <summary>Longest framed line minus one (the context a line batch needs); 0 for streams.</summary>
    public int LongestLine { get; private set; }

    /// <summary>The framed lines ([delimiter] + line + [delimiter]) of the training or validation split (lines layout; empty for
    /// streams): which lines a run trained on, for membership inference.</summary>
    public IReadOnlyList<int[]> FramedLines(bool validation) => validation ? validationLines : trainLines;

    /// <summary>A token stream split nanoGPT's way: the first 1 − <paramref name="validationFraction"/> trains.</summary>
    public static LanguageModelData FromStream(int[] tokens, double validationFraction = 0.1)
    {
        if (validationFraction is < 0 or >= 1)
            throw LoomUsageException.ForOption("ValidationFraction", $"must be in [0, 1), got {validationFraction}");
        int cut = (int)(tokens.Length * (1 - validationFraction));
        if (cut < 2)
            throw new LoomDataException($"the text has {tokens.Length} tokens; too few to train a language model");
        return new LanguageModelData(SequenceLayout.Stream) { trainStream = tokens[..cut], validationStream = tokens[cut..] };
    }

    /// <summary>
    /// Lines framed as [delimiter] + line + [delimiter]; a seeded shuffle, then the last min(1000, 10%) lines validate
    /// (makemore's split).
    /// </summary>
    public static LanguageModelData FromLines(IReadOnlyList<int[]> lines, int delimiter, long seed)
    {
        var framed = lines.Where(l => l.Length > 0).Select(l => (int[])[delimiter, .. l, delimiter]).ToArray();
        if (framed.Length < 2)
            throw new LoomDataException($"the data has {framed.Length} non-empty lines; at least 2 are needed");
        var random = Seeding.DotnetRandom(seed, "lines-split");
        random.Shuffle(framed);
        int validation = Math.Max(1, Math.Min(1000, framed.Length / 10));
        return new LanguageModelData(SequenceLayout.Lines)
        {
            trainLines = framed[..^validation],
            validationLines = framed[^validation..],
            LongestLine = framed.Max(l => l.Length) - 1,
        };
    }

    /// <summary>A whole token stream as the validation split (for scoring a file).</summary>
    public static LanguageModelData ForScoring(int[] tokens)
    {
        if (tokens.Length < 2)
            throw new LoomDataException($"the text has {tokens.Length} tokens; at least 2 are needed to score it");
        return new LanguageModelData(SequenceLayout.Stream) { validationStream = tokens };
    }

    /// <summary>Framed lines, all as the validation split (for scoring a file of lines).</summary>
    public static LanguageModelData ForScoring(IReadOnlyList<int[]> lines, int delimiter)
    {
        var framed = lines.Where(l => l.Length > 0).Select(l => (int[])[delimiter, .. l, delimiter]).ToArray();
        if (framed.Length == 0)
            throw new LoomDataException("the file has no non-empty lines to score");
        return new LanguageModelData(SequenceLayout.Lines) { validationLines = framed, LongestLine = framed.Max(l => l.Length) - 1 };
    }

    /// <summary>Inputs and targets [B, T] for step <paramref name="step"/> (train) or evaluation draw <paramref name="step"/>
    /// (validation).</summary>
    public (Tensor Inputs, Tensor Targets) Batch(bool validation, int batchSize, int context, long seed, long step)
    {
        var random = Seeding.DotnetRandom(seed, (validation ? "val-batch:" : "batch:") + step);
        if (Layout == SequenceLayout.Stream)
        {
            var stream = validation ? validationStream : trainStream;
            int window = Math.Min(context, stream.Length - 1);
            if (window < 1)
                throw new LoomDataException(
                    $"the {(validation ? "validation" : "training")} split has {stream.Length} tokens; too few for one window");
            var starts = Enumerable.Range(0, batchSize).Select(_ => random.Next(stream.Length - window)).ToArray();
            return Windows(stream, starts, window);
        }
        var lines = validation ? validationLines : trainLines;
        var chosen = Enumerable.Range(0, batchSize).Select(_ => lines[random.Next(lines.Length)]).ToArray();
        return PadLines(chosen, context);
    }

    /// <summary>
    /// The examples DP-SGD samples and protects: the training stream's disjoint windows of <paramref name="context"/>
    /// tokens (stream layout), or its framed lines (lines layout).
    /// </summary>
    public long PrivateExamples(int context) => Layout == SequenceLayout.Stream
        ? (trainStream.Length - 1) / Math.Max(1, Math.Min(context, trainStream.Length - 1))
        : trainLines.Length;

    /// <summary>
    /// Step <paramref name="step"/>'s Poisson batch for DP-SGD: each of the <see cref="PrivateExamples"/> joins with probability
    /// <paramref name="rate"/>, so the batch may be empty (then null).
    /// </summary>
    public (Tensor Inputs, Tensor Targets)? PoissonBatch(double rate, int context, long seed, long step)
    {
        var chosen = PoissonSampling.Indices(PrivateExamples(context), rate, seed, step).data<long>().ToArray();
        if (chosen.Length == 0)
            return null;
        if (Layout == SequenceLayout.Lines)
            return PadLines(chosen.Select(i => trainLines[i]).ToArray(), context);
        int window = Math.Min(context, trainStream.Length - 1);
        return Windows(trainStream, chosen.Select(i => (int)(i * window)).ToArray(), window);
    }

    /// <summary>The whole split in deterministic batches: non-overlapping windows (stream) or every line once (lines).</summary>
    public IEnumerable<(Tensor Inputs, Tensor Targets)> FullPass(bool validation, int batchSize, int context)
    {
        if (Layout == SequenceLayout.Stream)
        {
            var stream = validation ? validationStream : trainStream;
            int window = Math.Min(context, stream.Length - 1);
            var starts = Enumerable.Range(0, (stream.Length - 1) / window).Select(i => i * window).ToArray();
            for (int i = 0; i < starts.Length; i += batchSize)
                yield return Windows(stream, starts[i..Math.Min(starts.Length, i + batchSize)], window);
            yield break;
        }
        var lines = validation ? validationLines : trainLines;
        for (int i = 0; i < lines.Length; i += batchSize)
            yield return PadLines(lines[i..Math.Min(lines.Length, i + batchSize)], context);
    }

    private static (Tensor, Tensor) Windows(int[] stream, int[] starts, int window)
    {
        var x = new long[starts.Length * window];
        var y = new long[starts.Length * window];
        for (int b = 0; b < starts.Length; b++)
            for (int t = 0; t < window; t++)
            {
                x[b * window + t] = stream[starts[b] + t];
                y[b * window + t] = stream[starts[b] + t + 1];
            }
        return (torch.tensor(x).view(starts.Length, window), torch.tensor(y).view(starts.Length, window));
    }

    private static (Tensor, Tensor) PadLines(int[][] lines, int context)
    {
        int width = lines.Max(l => l.Length - 1);
        if (width > context)
            throw new LoomDataException($"a line has {width} tokens with its delimiters but the context is {context}; raise ContextLength");
        var x = new long[lines.Length * width];
        var y = Enumerable.Repeat(IgnoreIndex, lines.Length * width).ToArray();
        for (int b = 0; b < lines.Length; b++)
            for (int t = 0; t < lines[b].Length - 1; t++)
            {
                x[b * width + t] = lines[b][t];
                y[b * width + t] = lines[b][t + 1];
            }
        return (torch.tensor(x).view(lines.Length, width), torch.tensor(y).view(lines.Length, width));
    }
}
