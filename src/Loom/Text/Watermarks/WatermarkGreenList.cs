using Loom.Core;

namespace Loom.Text.Watermarks;

/// <summary>
/// Which tokens are green where, for one key, γ, seeding and vocabulary size: a deterministic function of those and the
/// context, the same in every process. Under <see cref="WatermarkSeeding.PreviousToken"/> a context has one green list of
/// exactly round(γV) tokens: the tokens a keyed permutation (seeded by the key and the previous token) sends below that
/// count. Under <see cref="WatermarkSeeding.SelfHash"/> each candidate seeds its own permutation from the key, a min-hash of
/// the four previous tokens anchored on the candidate, and the candidate, and is green when its own image falls below the
/// count: each token is green with probability round(γV)/V, and the list's size varies around it.
/// </summary>
public sealed class WatermarkGreenList
{
    private const ulong SelfHashDomain = 0x5E1F_4A54_0000_0001UL;
    private readonly ulong digest;

    /// <param name="options">The watermark (validated here).</param>
    /// <param name="vocabSize">Width of the model's logits, which may exceed the tokenizer's vocabulary.</param>
    public WatermarkGreenList(WatermarkOptions options, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (vocabSize < 2)
            throw new LoomUsageException($"a watermark needs a vocabulary of at least 2 tokens (got {vocabSize})");
        Seeding = options.Seeding;
        VocabSize = vocabSize;
        GreenSize = (int)Math.Round(options.Gamma * vocabSize, MidpointRounding.AwayFromZero);
        if (GreenSize < 1 || GreenSize >= vocabSize)
            throw LoomUsageException.ForOption(nameof(WatermarkOptions.Gamma),
                $"γ × {vocabSize} tokens rounds to {GreenSize} green tokens; pick a γ that leaves both lists non-empty");
        digest = WatermarkHash.KeyDigest(options.Key);
    }

    public WatermarkSeeding Seeding { get; }
    public int VocabSize { get; }

    /// <summary>round(γ × <see cref="VocabSize"/>): the size of every green list (PreviousToken) or its expectation (SelfHash).</summary>
    public int GreenSize { get; }

    /// <summary>The chance an unwatermarked token is green: <see cref="GreenSize"/> / <see cref="VocabSize"/>.</summary>
    public double GreenProbability => (double)GreenSize / VocabSize;

    /// <summary>Previous tokens a position's list depends on: 1 (PreviousToken) or 4 (SelfHash).</summary>
    public int ContextWidth => ContextWidthOf(Seeding);

    /// <summary>Previous tokens the lists of <paramref name="seeding"/> depend on.</summary>
    public static int ContextWidthOf(WatermarkSeeding seeding) => seeding == WatermarkSeeding.SelfHash ? 4 : 1;

    /// <summary>Whether <paramref name="token"/> is green after <paramref name="context"/> (its last
    /// <see cref="ContextWidth"/> tokens count).</summary>
    public bool IsGreen(ReadOnlySpan<long> context, int token)
    {
        RequireContext(context);
        if ((uint)token >= (uint)VocabSize)
            throw new LoomUsageException($"token {token} is outside the watermark's vocabulary of {VocabSize}");
        var last = context[^ContextWidth..];
        ulong seed = Seeding == WatermarkSeeding.SelfHash ? SelfHashSeed(last, token) : PreviousTokenSeed(last[0]);
        return KeyedPermutation.Apply(seed, token, VocabSize) < GreenSize;
    }

    /// <summary>The green flag of every token after <paramref name="context"/>.</summary>
    public bool[] Mask(ReadOnlySpan<long> context)
    {
        RequireContext(context);
        var last = context[^ContextWidth..];
        var green = new bool[VocabSize];
        ulong shared = PreviousTokenSeed(last[0]);
        for (int token = 0; token < VocabSize; token++)
        {
            ulong seed = Seeding == WatermarkSeeding.SelfHash ? SelfHashSeed(last, token) : shared;
            green[token] = KeyedPermutation.Apply(seed, token, VocabSize) < GreenSize;
        }
        return green;
    }

    private void RequireContext(ReadOnlySpan<long> context)
    {
        if (context.Length < ContextWidth)
            throw new LoomUsageException($"{Seeding} seeding needs {ContextWidth} previous tokens (got {context.Length})");
    }

    private ulong PreviousTokenSeed(long previous) => WatermarkHash.Mix(digest, (ulong)previous);

    private ulong SelfHashSeed(ReadOnlySpan<long> context, int candidate)
    {
        ulong min = ulong.MaxValue;
        foreach (long token in context)
            min = Math.Min(min, WatermarkHash.Mix(WatermarkHash.Mix(digest, (ulong)token), (ulong)candidate));
        return WatermarkHash.Mix(WatermarkHash.Mix(digest ^ SelfHashDomain, min), (ulong)candidate);
    }
}
