using Loom.Core;
using Loom.Models.Language;
using Loom.Text.Decoding;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Generation;

/// <summary>
/// One prompt decoded speculatively (batch 1). A round: the draft proposes up to k tokens one at a time from its own
/// processed distribution q; the target scores the last accepted token and every draft in one forward pass, giving its
/// processed distributions p after each prefix; <see cref="SpeculativeSampling"/> keeps a prefix of the drafts and adds one
/// token of the target's (greedy: the drafts that equal the target's argmax, then its argmax). Both KV caches then rewind
/// to the tokens kept. The logits processors run on both models' logits at each position with the same prefix (every
/// built-in processor is a function of the prefix and the logits), so sampling keeps the target's processed distribution
/// exactly and greedy output equals the target's greedy output.
/// </summary>
/// <remarks>
/// Invariant between rounds: each cache holds a prefix of the tokens that ends before the newest token; a forward pass feeds
/// whatever the cache has not seen yet (the draft catches up on its last accepted draft this way). Dispose scopes never span
/// a <c>yield</c>: a round's tensors live in one scope and leave it as managed arrays.
/// </remarks>
internal sealed class SpeculativeDecoding(ICausalLanguageModel target, SpeculativeDraft draft, ITokenizer tokenizer,
    GenerationSettings settings)
{
    private readonly Random random = settings.Seed is long seed ? Seeding.DotnetRandom(seed, "decoding.speculative") : new Random();

    public IEnumerable<GeneratedToken> Run(GenerationRow row, int rowIndex, CancellationToken cancellation)
    {
        var tokens = row.PromptIds.Select(t => (long)t).ToList();
        int capacity = tokens.Count + settings.MaxNewTokens;
        int context = Math.Min(target.MaxSequenceLength, draft.Model.MaxSequenceLength);
        if (capacity > context)
            throw LoomUsageException.ForOption("MaxNewTokens", $"speculative decoding keeps both models' KV caches, so the prompt "
                + $"({tokens.Count} tokens) plus max_new_tokens ({settings.MaxNewTokens}) must fit the shorter context ({context})");
        var processors = settings.BuildProcessors(tokens.Count);
        using var targetState = Rewindable(target.CreateState(1, capacity), "the model's");
        using var draftState = Rewindable(draft.Model.CreateState(1, capacity), "the draft's");
        long rounds = 0, drafted = 0, accepted = 0;
        while (!row.Finished && row.GeneratedCount < settings.MaxNewTokens)
        {
            if (cancellation.IsCancellationRequested)
            {
                row.Finish("cancelled");
                break;
            }
            int k = Math.Min(draft.Tokens, settings.MaxNewTokens - row.GeneratedCount - 1);
            var round = Round(tokens, k, targetState, draftState, processors);
            rounds++;
            drafted += k;
            accepted += round.Accepted;
            for (int j = 0; j < round.Tokens.Length && !row.Finished; j++)
            {
                tokens.Add(round.Tokens[j]);
                yield return row.Accept(round.Tokens[j], tokenizer) with
                {
                    Row = rowIndex,
                    Logprob = settings.Logprobs > 0 ? round.LogProbs[j] : null,
                    Alternatives = GenerationRow.Alternatives(tokenizer, round.TopIds, round.TopLogProbs, j, round.Alternatives),
                };
            }
            targetState.Rewind(Math.Min(targetState.Length, tokens.Count - 1));
            draftState.Rewind(Math.Min(draftState.Length, tokens.Count - 1));
        }
        row.Speculation = new SpeculationStats(draft.Tokens, rounds, drafted, accepted);
        row.Finish("length");
        if (row.FlushText() is { Length: > 0 } rest)
            yield return new GeneratedToken(rowIndex, -1, rest, null, []);
    }

    /// <summary>The tokens one round emits (accepted drafts, then the target's own), with the target's raw log-probabilities.</summary>
    private sealed record RoundResult(int[] Tokens, int Accepted, double[] LogProbs, long[]? TopIds, double[]? TopLogProbs,
        int Alternatives);

    private RoundResult Round(List<long> tokens, int k, IRewindableDecoderState targetState, IRewindableDecoderState draftState,
        LogitsProcessorChain processors)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var sequence = new List<long>(tokens);
        var drafts = new int[k];
        var q = new double[k][];
        for (int i = 0; i < k; i++)
        {
            var logits = Feed(draft.Model, draftState, sequence);
            var scores = Process(processors, sequence, sequence.Count, logits.select(1, logits.shape[1] - 1));
            if (settings.DoSample)
            {
                q[i] = Probabilities(scores);
                drafts[i] = SpeculativeSampling.Draw(q[i], random);
            }
            else
                drafts[i] = (int)scores.argmax(-1).ToInt64();
            sequence.Add(drafts[i]);
        }
        // One target pass over the last accepted token and the k drafts: its logits after each of them.
        var all = Feed(target, targetState, sequence);
        var raw = all[0].narrow(0, all.shape[1] - (k + 1), k + 1);
        int acceptedCount;
        int next;
        if (settings.DoSample)
        {
            var p = new double[k + 1][];
            for (int j = 0; j <= k; j++)
                p[j] = Probabilities(Process(processors, sequence, tokens.Count + j, raw.narrow(0, j, 1)));
            (acceptedCount, next) = SpeculativeSampling.Verify(p, q, drafts, random);
        }
        else
        {
            acceptedCount = 0;
            next = Argmax(processors, sequence, tokens.Count, raw, 0);
            while (acceptedCount < k && next == drafts[acceptedCount])
            {
                acceptedCount++;
                next = Argmax(processors, sequence, tokens.Count + acceptedCount, raw, acceptedCount);
            }
        }
        int[] emitted = [.. drafts[..acceptedCount], next];
        var logp = raw.narrow(0, 0, emitted.Length).log_softmax(-1);
        var chosen = logp.gather(1, torch.tensor(emitted.Select(t => (long)t).ToArray()).unsqueeze(1)).squeeze(1);
        long[]? topIds = null;
        double[]? topLogProbs = null;
        int alternatives = 0;
        if (settings.Logprobs > 0)
        {
            var (values, indices) = logp.topk((int)Math.Min(settings.Logprobs, logp.shape[1]), dim: -1);
            topIds = indices.data<long>().ToArray();
            topLogProbs = values.to(ScalarType.Float64).data<double>().ToArray();
            alternatives = (int)indices.shape[1];
        }
        return new RoundResult(emitted, acceptedCount, chosen.to(ScalarType.Float64).data<double>().ToArray(), topIds, topLogProbs,
            alternatives);
    }

    private int Argmax(LogitsProcessorChain processors, List<long> sequence, int prefix, Tensor raw, int position) =>
        (int)Process(processors, sequence, prefix, raw.narrow(0, position, 1)).argmax(-1).ToInt64();

    /// <summary>Logits [1, T, V] (float32, CPU) after each token of <paramref name="sequence"/> the state has not seen.</summary>
    private static Tensor Feed(ICausalLanguageModel model, IDecoderState state, List<long> sequence)
    {
        int seen = state.Length;
        var fresh = torch.tensor(sequence.Skip(seen).ToArray()).view(1, -1);
        return model.Forward(fresh, null, state).to(ScalarType.Float32).cpu();
    }

    /// <summary>The processed scores [1, V] of <paramref name="logits"/> [1, V] after the first <paramref name="prefix"/> tokens.</summary>
    private static Tensor Process(LogitsProcessorChain processors, List<long> sequence, int prefix, Tensor logits) =>
        processors.Count == 0 ? logits : processors.Process(torch.tensor(sequence.Take(prefix).ToArray()).view(1, -1), logits);

    private static double[] Probabilities(Tensor scores) =>
        scores.to(ScalarType.Float64).softmax(-1).data<double>().ToArray();

    private static IRewindableDecoderState Rewindable(IDecoderState state, string whose)
    {
        if (state is IRewindableDecoderState rewindable)
            return rewindable;
        state.Dispose();
        throw LoomUsageException.ForOption("Draft", $"speculative decoding rolls the decoder state back after a rejected draft, and "
            + $"{whose} {state.GetType().Name} cannot be rolled back; use transformer models");
    }
}
