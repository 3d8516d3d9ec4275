using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Model-agnostic beam search with Hugging Face's semantics. Each step calls <c>nextLogProbs</c> on all running beams
/// (recompute style: the full [N, T] sequences, N = prompts × num_beams, no cache), applies the optional processor to
/// the log-probabilities, adds each beam's running sum and keeps, per prompt, the best candidates over all beams:
/// an end-of-sequence candidate ranked among the first num_beams becomes a finished hypothesis, the best num_beams
/// others continue. Hypotheses score sum log-prob / (generated tokens, end-of-sequence included)^length_penalty.
/// A prompt is done when num_beams hypotheses are finished and early stopping is on, or (early stopping off) when the
/// best candidate sum divided by the current length^length_penalty cannot beat the worst kept hypothesis; at
/// max_new_tokens the running beams of unfinished prompts join the hypotheses.
/// </summary>
/// <remarks>
/// Prompts in a batch must have the same length (left-pad them; the delegate sees the padding). Once a prompt is done
/// its beams keep being extended with the first end-of-sequence token (or 0) so the batch stays rectangular; those
/// rows' log-probabilities are ignored.
/// </remarks>
public sealed class BeamSearch
{
    /// <param name="numBeams">Beams per prompt, ≥ 1.</param>
    /// <param name="maxNewTokens">Most tokens to generate, ≥ 1.</param>
    /// <param name="eosTokenIds">Tokens that finish a hypothesis (may be empty: every hypothesis then runs to max_new_tokens).</param>
    /// <param name="lengthPenalty">Exponent of the length normalisation; finite.</param>
    /// <param name="earlyStopping">Stop a prompt as soon as num_beams hypotheses are finished.</param>
    /// <param name="processor">Applied to each step's log-probabilities (n-gram bans, penalties, ...); null = none.</param>
    public BeamSearch(int numBeams, int maxNewTokens, IReadOnlyList<int> eosTokenIds, double lengthPenalty = 1.0,
        bool earlyStopping = false, ILogitsProcessor? processor = null)
    {
        if (numBeams < 1)
            throw new LoomUsageException($"num_beams must be at least 1 (got {numBeams})");
        if (maxNewTokens < 1)
            throw new LoomUsageException($"max_new_tokens must be at least 1 (got {maxNewTokens})");
        if (eosTokenIds is null || eosTokenIds.Any(t => t < 0))
            throw new LoomUsageException("end-of-sequence token ids must be a list of ids ≥ 0");
        DecodingChecks.RequireFinite(lengthPenalty, "length_penalty");
        NumBeams = numBeams;
        MaxNewTokens = maxNewTokens;
        EosTokenIds = eosTokenIds.ToArray();
        LengthPenalty = lengthPenalty;
        EarlyStopping = earlyStopping;
        Processor = processor;
    }

    /// <summary>Beam search as <paramref name="settings"/> describe it, with the processors of
    /// <see cref="GenerationSettings.BuildProcessors"/> (no sampling warpers, since beam sampling is not supported).</summary>
    public static BeamSearch FromSettings(GenerationSettings settings, int promptLength)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var chain = settings.BuildProcessors(promptLength);
        return new BeamSearch(settings.NumBeams, settings.MaxNewTokens, settings.EosTokenIds, settings.LengthPenalty,
            settings.EarlyStopping, chain.Count > 0 ? chain : null);
    }

    public int NumBeams { get; }
    public int MaxNewTokens { get; }
    public IReadOnlyList<int> EosTokenIds { get; }
    public double LengthPenalty { get; }
    public bool EarlyStopping { get; }
    public ILogitsProcessor? Processor { get; }

    /// <summary>Runs beam search from <paramref name="promptIds"/> [B, T] int64.</summary>
    /// <param name="nextLogProbs">Given sequences [N, T'] int64, returns next-token log-probabilities [N, V]. The
    /// search disposes what it returns.</param>
    public BeamSearchResult Run(Tensor promptIds, Func<Tensor, Tensor> nextLogProbs)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        ArgumentNullException.ThrowIfNull(nextLogProbs);
        if (promptIds.dim() != 2 || promptIds.dtype != ScalarType.Int64 || promptIds.shape[0] == 0)
            throw new LoomUsageException(
                $"prompt ids must be a non-empty [batch, length] int64 tensor (got {DecodingChecks.Describe(promptIds)})");
        using var scope = torch.NewDisposeScope();
        int batch = (int)promptIds.shape[0], rows = batch * NumBeams;
        var prompts = promptIds.repeat_interleave(NumBeams, dim: 0);
        var state = new BeamState(batch, NumBeams, LengthPenalty, EarlyStopping);
        for (int step = 1; step <= MaxNewTokens && !state.AllDone; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var ids = step == 1 ? prompts : torch.cat([prompts, state.GeneratedTensor(promptIds.device)], 1);
            var logp = nextLogProbs(ids);
            if (logp is null || logp.dim() != 2 || logp.shape[0] != rows || !torch.is_floating_point(logp))
                throw new LoomUsageException($"nextLogProbs must return [{rows}, vocabulary] floating-point log-probabilities (got "
                    + $"{(logp is null ? "null" : DecodingChecks.Describe(logp))})");
            if (Processor is not null)
                logp = Processor.Process(ids, logp);
            long vocab = logp.shape[1];
            var total = logp.to(ScalarType.Float64).add(state.ScoresTensor(logp.device).unsqueeze(1)).view(batch, NumBeams * vocab);
            int candidates = (int)Math.Min(Math.Max(2, 1 + EosTokenIds.Count) * NumBeams, NumBeams * vocab);
            var (values, indices) = total.topk(candidates, dim: 1);
            state.Advance(step, values.cpu().data<double>().ToArray(), indices.cpu().data<long>().ToArray(),
                candidates, vocab, EosTokenIds);
        }
        state.FinishRunning();
        return new BeamSearchResult(state.Results());
    }
}
