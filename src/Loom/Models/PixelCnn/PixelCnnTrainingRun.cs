using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.PixelCnn;

/// <summary>
/// Trains a <see cref="PixelCnnModel"/> from a <see cref="PixelCnnRecipe"/> by maximum likelihood through the shared
/// <see cref="Trainer"/>: the loss is the NLL in nats per pixel of a batch (binary head: the images binarized afresh at
/// every step from a seed and the step, so a resumed run sees the same pixels); the log also has nats per image. Saves
/// checkpoints with exact resume, log.jsonl and loss.png; afterwards the held-out NLL (<see cref="PixelCnnEvaluation"/>)
/// goes on the card and samples.png gets a grid of samples.
/// </summary>
public static class PixelCnnTrainingRun
{
    public static TrainingOutcome Train(PixelCnnRecipe recipe, TrainingContext context)
    {
        var resolved = RecipeResume.WithSaved(recipe, context, PixelCnnRecipe.MayChangeOnResume).Resolve();
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        using var data = TrainingData.Load(resolved.Data!, new DataLoadOptions
        {
            Seed = seed, Limit = resolved.TrainLimit!.Value, AllowPngFolder = true,
        });
        if (data.SampleShape is not [1, var height, var width])
            throw new LoomDataException(
                $"{resolved.Data}: a pixelcnn trains on grey images, got examples of [{string.Join(", ", data.SampleShape)}]");
        var config = resolved.ToConfig((int)height, (int)width, data.ClassNames, data.Name);
        config.Validate();
        var network = new PixelCnnNetwork(config);
        network.to(context.Device);
        var model = new PixelCnnModel(network);
        try
        {
            long parameters = network.parameters().Sum(p => p.numel());
            context.Say($"pixelcnn: {config.Head.Name()} head, {config.Layers} gated layers of {config.Channels} channels, "
                + $"{parameters:N0} parameters, {data.Count:N0} training images of {height}×{width}"
                + (config.NumClasses > 0 ? $", conditional on {config.NumClasses} classes" : "") + $", device {context.Device}");
            using var folder = new RunFolder(context);
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            var watch = Stopwatch.StartNew();
            var result = Fit(model, data, resolved, folder, context);
            var metrics = new Dictionary<string, double>
            {
                ["parameters"] = parameters, ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds,
                ["final_loss"] = result.LastLoss,
            };
            var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
            if (!result.Interrupted && resolved.EvalN > 0)
                foreach (var (key, value) in PixelCnnEvaluation.Evaluate(model, data, resolved.EvalN!.Value, seed, context.Cancellation))
                    metrics[key] = value;
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes));
            if (!result.Interrupted && resolved.PreviewSamples > 0)
            {
                var png = Path.Combine(folder.Folder, "samples.png");
                using var samples = (TensorSamples)model.Sample(new SampleRequest { Count = resolved.PreviewSamples!.Value, Seed = seed });
                SampleGrid.Write(png, samples.Values);
                files.Add(png);
            }
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static TrainResult Fit(PixelCnnModel model, TrainingData data, PixelCnnRecipe recipe, RunFolder folder,
        TrainingContext context)
    {
        long steps = recipe.Steps!.Value, seed = recipe.Seed!.Value;
        var network = model.Network;
        var device = context.Device;
        bool conditional = model.NumClasses > 0;
        var sampler = new BatchSampler(data.Count, Math.Min(recipe.BatchSize!.Value, data.Count), seed);
        int dims = model.Config.Dimensions;
        var objective = new DelegateObjective((step, micro) =>
        {
            var index = sampler.IndexTensorForStep(step);
            var images = data.Examples.index_select(0, index);
            var pixels = model.Config.Head == PixelCnnHead.Binary
                ? ImagePixels.BinarizedForStep(images, seed, step)
                : (images * 255).round();
            var labels = conditional ? data.Labels!.index_select(0, index).to(device) : null;
            var nll = -model.LogProb(pixels.to(device), labels).mean();
            return new TrainingLoss(nll / dims, index.shape[0],
                new Dictionary<string, double> { ["nats_per_image"] = nll.ToDouble() });
        });
        var settings = new LikelihoodFitSettings(steps, recipe.ToSchedule(), recipe.Warmup!.Value, recipe.LearningRate!.Value,
            recipe.GradClip!.Value, recipe.CheckpointEvery!.Value);
        return LikelihoodFit.Run(network, model, objective, settings, folder, context, data.Provenance, seed,
            "pixelcnn: negative log-likelihood, nats per pixel");
    }
}
