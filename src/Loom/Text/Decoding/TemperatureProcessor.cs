using Loom.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Text.Decoding;

/// <summary>
/// Divides the scores by a temperature: below 1 sharpens the distribution, above 1 flattens it.
/// Matches Hugging Face's <c>TemperatureLogitsWarper</c>.
/// </summary>
public sealed class TemperatureProcessor : ILogitsProcessor
{
    /// <param name="temperature">Strictly positive and finite.</param>
    public TemperatureProcessor(double temperature)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature))
            throw new LoomUsageException($"temperature must be a finite number > 0 (got {temperature})");
        Temperature = temperature;
    }

    public double Temperature { get; }

    public Tensor Process(Tensor inputIds, Tensor scores)
    {
        DecodingChecks.Check(inputIds, scores);
        using var scope = torch.NewDisposeScope();
        return scores.div(Temperature).MoveToOuterDisposeScope();
    }
}
