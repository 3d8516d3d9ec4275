using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Chooses the next token of each row from processed scores [B, V]: the argmax (greedy; ties go to the lowest id) or
/// a draw from softmax(scores) (sampling) with its own seeded generator, so the same seed gives the same choices.
/// </summary>
/// <remarks>
/// Log-probabilities follow Hugging Face's <c>output_scores</c> convention: they are the log-softmax of the
/// <em>processed</em> scores, i.e. of the distribution the token was actually chosen from, so tokens a processor
/// removed report negative infinity. Pass <c>logProbScores</c> to <see cref="Select"/> (for example the raw model
/// logits) to report log-probabilities of another distribution instead.
/// </remarks>
public sealed class TokenSelector : IDisposable
{
    private readonly Generator? _generator;

    /// <param name="doSample">Sample (true) or take the argmax (false).</param>
    /// <param name="topLogProbs">How many most likely alternatives to report per row; 0 = none.</param>
    /// <param name="seed">Seeds this selector's generator; null draws from the global torch generator.</param>
    /// <param name="device">Device of the scores to sample from (the generator lives there); CPU by default.</param>
    public TokenSelector(bool doSample, int topLogProbs = 0, long? seed = null, Device? device = null)
    {
        if (topLogProbs < 0)
            throw new LoomUsageException($"the number of log-prob alternatives must not be negative (got {topLogProbs})");
        DoSample = doSample;
        TopLogProbs = topLogProbs;
        if (doSample && seed is long s)
            _generator = Seeding.Generator(s, "decoding.sample", device);
    }

    /// <summary>A selector for <see cref="GenerationSettings.DoSample"/>, <see cref="GenerationSettings.Logprobs"/>
    /// and <see cref="GenerationSettings.Seed"/>.</summary>
    public static TokenSelector FromSettings(GenerationSettings settings, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return new TokenSelector(settings.DoSample, settings.Logprobs, settings.Seed, device);
    }

    public bool DoSample { get; }
    public int TopLogProbs { get; }

    /// <summary>Chooses one token per row of <paramref name="scores"/> [B, V].</summary>
    /// <param name="scores">Processed scores; a row whose scores are all negative infinity (or NaN) is an error.</param>
    /// <param name="logProbScores">[B, V] scores whose log-softmax gives the reported log-probabilities; default
    /// <paramref name="scores"/>.</param>
    public TokenSelection Select(Tensor scores, Tensor? logProbScores = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.dim() != 2 || !torch.is_floating_point(scores) || scores.shape[1] == 0)
            throw new LoomUsageException(
                $"scores must be a [batch, vocabulary] floating-point tensor (got {DecodingChecks.Describe(scores)})");
        if (logProbScores is not null && !logProbScores.shape.SequenceEqual(scores.shape))
            throw new LoomUsageException($"logProbScores must have the shape of scores [{string.Join(", ", scores.shape)}] (got "
                + $"{DecodingChecks.Describe(logProbScores)})");
        using var scope = torch.NewDisposeScope();
        var best = scores.amax(new long[] { -1 });
        if (best.isnan().any().item<bool>() || best.eq(double.NegativeInfinity).any().item<bool>())
            throw new LoomUsageException("a row of scores has no finite value: every token was removed, or the scores hold NaN");

        var tokens = DoSample
            ? torch.multinomial(scores.softmax(-1), 1, generator: _generator).squeeze(1)
            : scores.argmax(-1);
        var logp = (logProbScores ?? scores).log_softmax(-1);
        var chosen = logp.gather(1, tokens.unsqueeze(1)).squeeze(1);
        Tensor? topTokens = null, topLogProbs = null;
        if (TopLogProbs > 0)
        {
            var (values, indices) = logp.topk((int)Math.Min(TopLogProbs, scores.shape[1]), dim: -1);
            topTokens = indices.MoveToOuterDisposeScope();
            topLogProbs = values.MoveToOuterDisposeScope();
        }
        return new TokenSelection(tokens.MoveToOuterDisposeScope(), chosen.MoveToOuterDisposeScope(), topTokens, topLogProbs);
    }

    /// <summary>
    /// Chooses one token per row like <see cref="Select"/> and returns the choice as managed arrays. Contiguous float32
    /// scores on the CPU are chosen in managed code (<see cref="ManagedTokenSelection"/>: the same tokens for the same
    /// seed, one kernel per step when sampling and none when greedy); anything else runs <see cref="Select"/>.
    /// </summary>
    public SelectedTokens SelectValues(Tensor scores, Tensor? logProbScores = null)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (!InMemoryFloat32(scores) || logProbScores is not null && !(InMemoryFloat32(logProbScores)
            && logProbScores.shape.SequenceEqual(scores.shape)))
        {
            using var selection = Select(scores, logProbScores);
            return ToValues(selection);
        }
        int batch = (int)scores.shape[0], vocabulary = (int)scores.shape[1];
        using var draws = DoSample ? torch.empty_like(scores).exponential_(1, _generator) : null;
        return ManagedTokenSelection.Select(Floats(scores), Floats(logProbScores ?? scores), batch, vocabulary,
            draws is null ? default : Floats(draws), TopLogProbs);
    }

    private static bool InMemoryFloat32(Tensor t) => t.dim() == 2 && t.shape[1] > 0 && t.shape[0] * t.shape[1] < int.MaxValue
        && t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous();

    private static ReadOnlySpan<float> Floats(Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);

    private static SelectedTokens ToValues(TokenSelection selection)
    {
        var tokens = selection.Tokens.data<long>().ToArray();
        var logProbs = selection.LogProbs.to(ScalarType.Float64).data<double>().ToArray();
        if (selection is not { TopTokens: { } tt, TopLogProbs: { } tl })
            return new SelectedTokens(tokens, logProbs, null, null, 0);
        return new SelectedTokens(tokens, logProbs, tt.data<long>().ToArray(), tl.to(ScalarType.Float64).data<double>().ToArray(),
            (int)tt.shape[1]);
    }

    public void Dispose() => _generator?.Dispose();
}
