using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Adds a fixed bias to the scores of chosen tokens, as OpenAI's <c>logit_bias</c>: large negative values (or
/// negative infinity) effectively ban a token, large positive values force it.
/// </summary>
public sealed class LogitBiasProcessor : ILogitsProcessor
{
    /// <param name="bias">Token id (≥ 0) → bias (not NaN).</param>
    public LogitBiasProcessor(IReadOnlyDictionary<int, float> bias)
    {
        if (bias is null)
            throw new LoomUsageException("logit bias must not be null");
        foreach (var (token, value) in bias)
        {
            if (token < 0)
                throw new LoomUsageException($"logit bias names token {token}; token ids must not be negative");
            if (float.IsNaN(value))
                throw new LoomUsageException($"logit bias for token {token} is NaN");
        }
        Bias = new Dictionary<int, float>(bias);
    }

    public IReadOnlyDictionary<int, float> Bias { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        long vocab = scores.shape[1];
        var row = new float[vocab];
        foreach (var (token, value) in Bias)
        {
            if (token >= vocab)
                throw new LoomUsageException($"logit bias names token {token}, outside the vocabulary of {vocab} scores");
            row[token] = value;
        }
        var add = torch.tensor(row).to(scores.dtype).to(scores.device);
        return scores.add(add).MoveToOuterDisposeScope();
    }
}
