using Loom.Core;
using Loom.Text.Tokenizers;

namespace Loom.Text.Watermarks;

/// <summary>
/// Tests a text for the watermark: counts the green tokens among those with a full context and computes the one-sided
/// z-test of Kirchenbauer et al. (2023). Needs the key, γ and the seeding the text was generated with (δ plays no part),
/// the vocabulary size of the model's logits and, to start from text, the model's tokenizer.
/// </summary>
public sealed class WatermarkDetector
{
    private readonly WatermarkGreenList lists;
    private readonly ITokenizer? tokenizer;

    /// <param name="options">The watermark's key, γ and seeding.</param>
    /// <param name="vocabSize">Width of the generating model's logits.</param>
    /// <param name="tokenizer">The generating model's tokenizer, for <see cref="Detect(string)"/>.</param>
    public WatermarkDetector(WatermarkOptions options, int vocabSize, ITokenizer? tokenizer = null)
    {
        lists = new WatermarkGreenList(options, vocabSize);
        this.tokenizer = tokenizer;
    }

    /// <summary>A detector over the tokenizer's vocabulary (when the model's logits are exactly that wide).</summary>
    public WatermarkDetector(WatermarkOptions options, ITokenizer tokenizer)
        : this(options, (tokenizer ?? throw new ArgumentNullException(nameof(tokenizer))).VocabSize, tokenizer) { }

    /// <summary>Score each distinct (context, token) pair once, so repeated phrases count once (default: every token).</summary>
    public bool IgnoreRepeatedNGrams { get; init; }

    /// <summary>The verdict is "watermarked" when z exceeds this (default 4).</summary>
    public double ZThreshold { get; init; } = 4.0;

    /// <summary>The green lists this detector tests against.</summary>
    public WatermarkGreenList GreenList => lists;

    /// <summary>Tokenizes <paramref name="text"/> with the detector's tokenizer and scores the ids.</summary>
    public WatermarkDetection Detect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (tokenizer is null)
            throw new LoomUsageException("this watermark detector has no tokenizer; pass token ids or construct it with one");
        return Detect(tokenizer.Encode(text));
    }

    /// <summary>Scores token ids: every token after the first <see cref="WatermarkGreenList.ContextWidth"/>.</summary>
    public WatermarkDetection Detect(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (!double.IsFinite(ZThreshold))
            throw new LoomUsageException($"the z threshold must be a finite number (got {ZThreshold})");
        int width = lists.ContextWidth;
        var tokens = ids.Select(id => (long)id).ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int scored = 0, green = 0;
        for (int t = width; t < tokens.Length; t++)
        {
            var context = tokens.AsSpan(t - width, width);
            if (IgnoreRepeatedNGrams && !seen.Add(string.Join(',', tokens[(t - width)..(t + 1)])))
                continue;
            scored++;
            if (lists.IsGreen(context, (int)tokens[t]))
                green++;
        }
        return Score(scored, green);
    }

    private WatermarkDetection Score(int scored, int green)
    {
        double gamma = lists.GreenProbability;
        double z = scored == 0 ? double.NaN : (green - gamma * scored) / Math.Sqrt(scored * gamma * (1 - gamma));
        double fraction = scored == 0 ? double.NaN : (double)green / scored;
        return new WatermarkDetection(scored, green, fraction, gamma, z, NormalTail.Upper(z), ZThreshold, z > ZThreshold);
    }
}
