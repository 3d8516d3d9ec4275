using Loom.Core;
using Loom.Training.Runs;

namespace Loom.Models.Boltzmann;

/// <summary>
/// What a DBN run starts from: binary data (Fashion-MNIST binarized, or a 0/1 CSV), the hidden layer sizes, and the
/// contrastive-divergence settings every layer's RBM trains with (epochs per layer). Unset properties take <see cref="Defaults"/>.
/// </summary>
public sealed record DbnRecipe
{
    /// <summary>fashion-mnist (binarized) or a 0/1 CSV. Required.</summary>
    public string? Data { get; init; }
    /// <summary>Fashion-MNIST: train on the first N images only (0 = all).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>Hidden layer sizes, bottom to top, e.g. "256,64".</summary>
    public string? Layers { get; init; }
    /// <summary>cd or pcd.</summary>
    public string? Method { get; init; }
    public int? K { get; init; }
    /// <summary>Epochs of each layer.</summary>
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public double? LearningRate { get; init; }
    public double? Momentum { get; init; }
    public double? WeightDecay { get; init; }
    /// <summary>Gibbs steps in the top RBM per sample.</summary>
    public int? SampleSteps { get; init; }
    public long? Seed { get; init; }

    public static DbnRecipe Defaults { get; } = new()
    {
        TrainLimit = 0, Layers = "128,64", Method = "cd", K = 1, Epochs = 5, BatchSize = 64, LearningRate = 0.05, Momentum = 0.5,
        WeightDecay = 1e-4, SampleSteps = 1000, Seed = 0,
    };

    public DbnRecipe Resolve()
    {
        var json = RecipeJson.Overlay(RecipeJson.ToJson(Defaults), RecipeJson.ToJson(this));
        var resolved = RecipeJson.FromJson<DbnRecipe>(json, "dbn recipe");
        resolved.Validate();
        return resolved;
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the recipe names no data");
        HiddenSizes();
        // The per-layer settings are an RBM recipe's; its checks name the same properties.
        ToRbmRecipe().Resolve();
    }

    /// <summary>The hidden layer sizes of <see cref="Layers"/>.</summary>
    public int[] HiddenSizes()
    {
        var parts = Layers!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sizes = parts.Select(p => int.TryParse(p, out int n) && n > 0 ? n : -1).ToArray();
        if (sizes.Length == 0 || sizes.Any(n => n < 1))
            throw LoomUsageException.ForOption(nameof(Layers), $"'{Layers}' is not a list of positive layer sizes, e.g. 256,64");
        return sizes;
    }

    /// <summary>The RBM settings each layer trains with.</summary>
    public RbmRecipe ToRbmRecipe() => new()
    {
        Data = Data, TrainLimit = TrainLimit, Visible = "bernoulli", Method = Method, K = K, Epochs = Epochs, BatchSize = BatchSize,
        LearningRate = LearningRate, Momentum = Momentum, WeightDecay = WeightDecay, SampleSteps = SampleSteps, Seed = Seed,
    };
}
