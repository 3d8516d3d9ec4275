using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// Trains a DBN greedily (Hinton et al. 2006): the first RBM on the binarized data, each next RBM on the hidden
/// probabilities of the layer below, each with the recipe's contrastive-divergence settings; then saves the stack. No
/// trainer state is kept between layers, so a DBN run does not resume (cancelling keeps the layers so far).
/// </summary>
public static class DbnTrainingRun
{
    public static TrainingOutcome Train(DbnRecipe recipe, TrainingContext context)
    {
        if (context.Resume)
            throw LoomUsageException.ForOption("Resume", "a DBN trains layer by layer and keeps no trainer state; start it again");
        var resolved = recipe.Resolve();
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        using var data = RbmData.Load(resolved.Data!, new DataLoadOptions { Limit = resolved.TrainLimit!.Value });
        using var rows = RbmData.Binary(data.Examples, data.Images, seed, resolved.Data!);
        int[] sizes = [(int)rows.shape[1], .. resolved.HiddenSizes()];
        var network = new DeepBeliefNet(sizes);
        var model = new DbnModel(network, sizes, data.SampleShape, data.Images, resolved.SampleSteps!.Value);
        try
        {
            var rbm = resolved.ToRbmRecipe();
            var options = new RbmLayerOptions(rbm.Epochs!.Value, rbm.BatchSize!.Value, rbm.LearningRate!.Value, rbm.Momentum!.Value,
                rbm.WeightDecay!.Value, rbm.K!.Value, rbm.Persistent(), seed);
            context.Say($"dbn: layers {string.Join(" → ", sizes)}, {rows.shape[0]:N0} training rows, {options.Epochs} epochs per layer");
            var watch = Stopwatch.StartNew();
            var metrics = new Dictionary<string, double>();
            bool interrupted = false;
            for (int l = 0; l < network.Layers.Count && !interrupted; l++)
            {
                using var input = network.Up(rows, l);
                var layer = network.Layers[l];
                if (l == 0) layer.InitVisibleBias(RbmBaseRate.VisibleBias(input, RbmVisible.Bernoulli));
                var result = RbmLayerFit.Fit(layer, input, options with { Seed = seed + l }, context.Progress, context.Cancellation);
                interrupted = result.Interrupted;
                metrics[$"layer{l}_final_loss"] = result.LastLoss;
                using var noGrad = torch.no_grad();
                using var scope = torch.NewDisposeScope();
                var p = layer.Parameters;
                var reconstruction = (input - p.VisibleMean(p.HiddenProbabilities(input))).pow(2).sum(1).mean().ToDouble();
                metrics[$"layer{l}_reconstruction_error"] = reconstruction;
                context.Say($"dbn: layer {l + 1} ({sizes[l]} → {sizes[l + 1]}) reconstruction error {reconstruction:F3}");
            }
            metrics["train_seconds"] = watch.Elapsed.TotalSeconds;
            using var folder = new RunFolder(context);
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics,
                interrupted ? "interrupted (cancelled) before every layer trained" : null));
            return new TrainingOutcome(model, metrics, interrupted, []);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
