using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Removes the end-of-sequence tokens until at least <c>minNewTokens</c> tokens follow the prompt, as Hugging Face's
/// <c>MinNewTokensLengthLogitsProcessor</c>: the number of new tokens is the length of <c>inputIds</c> minus the prompt length.
/// </summary>
public sealed class MinNewTokensProcessor : ILogitsProcessor
{
    /// <param name="promptLength">Positions of <c>inputIds</c> that belong to the (padded) prompt; ≥ 0.</param>
    /// <param name="minNewTokens">≥ 0; 0 changes nothing.</param>
    /// <param name="eosTokenIds">At least one id, each ≥ 0.</param>
    public MinNewTokensProcessor(int promptLength, int minNewTokens, IReadOnlyList<int> eosTokenIds)
    {
        if (promptLength < 0)
            throw new LoomUsageException($"prompt length must not be negative (got {promptLength})");
        if (minNewTokens < 0)
            throw new LoomUsageException($"min new tokens must not be negative (got {minNewTokens})");
        if (eosTokenIds is null || eosTokenIds.Count == 0)
            throw new LoomUsageException("min new tokens needs at least one end-of-sequence token id");
        if (eosTokenIds.Any(t => t < 0))
            throw new LoomUsageException($"end-of-sequence token ids must not be negative (got {string.Join(", ", eosTokenIds)})");
        PromptLength = promptLength;
        MinNewTokens = minNewTokens;
        EosTokenIds = eosTokenIds.ToArray();
    }

    public int PromptLength { get; }
    public int MinNewTokens { get; }
    public IReadOnlyList<int> EosTokenIds { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        long length = inputIds.shape[1], vocab = scores.shape[1];
        if (length < PromptLength)
            throw new LoomUsageException($"inputIds has {length} positions, fewer than the prompt length {PromptLength}");
        using var scope = torch.NewDisposeScope();
        if (length - PromptLength >= MinNewTokens)
            return scores.clone().MoveToOuterDisposeScope();
        var mask = new bool[vocab];
        foreach (int eos in EosTokenIds)
        {
            if (eos >= vocab)
                throw new LoomUsageException($"end-of-sequence token {eos} is outside the vocabulary of {vocab} scores");
            mask[eos] = true;
        }
        var ban = torch.tensor(mask).to(scores.device);
        return scores.masked_fill(ban, double.NegativeInfinity).MoveToOuterDisposeScope();
    }
}
