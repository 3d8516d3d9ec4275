using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Likelihood;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models.Mixture;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Flows;

/// <summary>
/// Trains a <see cref="FlowModel"/> from a <see cref="FlowRecipe"/> by maximum likelihood through the shared
/// <see cref="Trainer"/> on the CPU. Vectors: the loss is the NLL in nats per sample (the first layer standardizes with the
/// training data's statistics). Images: pixels are uniformly dequantized afresh at every step and the loss is the NLL
/// in nats per dimension on [0, 1] (its bits/dim on the 0..256 scale are logged beside it). ActNorm layers are
/// initialised from a first batch. Writes log.jsonl, loss.png, the checkpoint with the held-out NLL in its card,
/// run.json, and samples.png (2-D data: data vs samples; images: a grid); resumes exactly from its trainer state.
/// </summary>
public static class FlowTrainingRun
{
    private const int EvalExamples = 2000;

    public static TrainingOutcome Train(FlowRecipe recipe, TrainingContext context)
    {
        context = context with { Device = CPU };
        var resolved = RecipeResume.WithSaved(recipe, context, FlowRecipe.MayChangeOnResume).Resolve();
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        using var data = TrainingData.Load(resolved.Data!, new DataLoadOptions
        {
            Points = resolved.Points!.Value, Seed = seed, Limit = resolved.TrainLimit!.Value, AllowPngFolder = true,
        });
        var image = ImageShape.Of(data.SampleShape, data.Images);
        int dims = (int)data.SampleShape.Aggregate(1L, (a, b) => a * b);
        var config = resolved.ToConfig(dims, image);
        config.Validate();
        // Images train on their 8-bit values, dequantized per step; vectors as they are.
        using var values = image is null ? data.Examples.to(ScalarType.Float32) : (data.Examples * 255).round();
        var (train, heldOut) = GaussianMixtureData.Split(values, resolved.Holdout!.Value, seed);
        using var folder = new RunFolder(context);
        folder.SaveRecipe(RecipeJson.ToJson(resolved));
        var model = new FlowModel(config);
        try
        {
            var result = Fit(model, train, heldOut, resolved, folder, data.Provenance, context);
            var metrics = new Dictionary<string, double>
            {
                ["steps"] = result.Steps, ["parameters"] = model.ParameterCount,
                ["train_nll"] = MeanNll(model, train, seed, "train"),
            };
            if (heldOut is not null)
                metrics["heldout_nll"] = MeanNll(model, heldOut, seed, "heldout");
            if (heldOut is not null && image is null && ToyDensity.IsExact(resolved.Data!))
            {
                // The floor a perfect model reaches on the same points: the toy's own density.
                using var trueLogProb = ToyDensity.LogProb(resolved.Data!, heldOut);
                metrics["heldout_true_nll"] = -trueLogProb.mean().ToDouble();
            }
            if (image is not null)
                foreach (var key in metrics.Keys.Where(k => k.EndsWith("_nll", StringComparison.Ordinal)).ToList())
                    metrics[key.Replace("_nll", "_bits_per_dim")] = BitsPerDim(metrics[key], dims);
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes));
            var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
            if (WritePreview(model, values, folder.Folder, seed) is { } preview)
                files.Add(preview);
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static TrainResult Fit(FlowModel model, Tensor train, Tensor? heldOut, FlowRecipe recipe, RunFolder folder,
        DataProvenance provenance, TrainingContext context)
    {
        long steps = recipe.Steps!.Value, seed = recipe.Seed!.Value;
        bool images = model.Config.Image is not null;
        int dims = model.Dimensions;
        var sampler = new BatchSampler(train.shape[0], Math.Min(recipe.BatchSize!.Value, train.shape[0]), seed);
        Tensor Batch(Tensor source, Tensor index, string purpose) => images
            ? LikelihoodUnits.Dequantize(source.index_select(0, index), Seeding.Derive(seed, purpose))
            : source.index_select(0, index);
        Initialize(model, train, seed);
        var objective = new DelegateObjective((step, micro) =>
        {
            var batch = Batch(train, sampler.IndexTensorForStep(step), $"dequantize:{step}");
            var nll = -model.LogProb(batch).mean();
            if (!images)
                return new TrainingLoss(nll, batch.shape[0]);
            var perDim = nll / dims;
            return new TrainingLoss(perDim, batch.shape[0],
                new Dictionary<string, double> { ["bits_per_dim"] = BitsPerDim(nll.item<float>(), dims) });
        });
        var options = new TrainerOptions
        {
            Steps = steps, Schedule = recipe.ToSchedule(), WarmupSteps = Math.Min(recipe.Warmup!.Value, steps),
            MinLearningRate = recipe.LearningRate!.Value * 0.1, GradClip = recipe.GradClip!.Value,
            EmaDecay = recipe.Ema > 0 ? recipe.Ema : null, EvalEvery = heldOut is null ? 0 : Math.Max(1, steps / 20),
            LogEvery = Math.Clamp(steps / 200, 1, 50), CheckpointEvery = recipe.CheckpointEvery!.Value,
        };
        long startStep = folder.StartStep();
        var phase = new TrainingPhase("nll", objective, model.Network.parameters().ToList(),
            new OptimizerOptions { LearningRate = recipe.LearningRate!.Value });
        var auxiliary = new List<(nn.Module Module, string Prefix)> { (model.Network, "model.") };
        using var trainer = new Trainer([phase], options)
        {
            Log = folder.OpenLog(startStep),
            Progress = context.Progress,
            Evaluate = heldOut is null ? null : () =>
            {
                double nll = MeanNll(model, heldOut, seed, "heldout");
                var metrics = new Dictionary<string, double> { ["val_nll"] = nll };
                if (images) metrics["val_bits_per_dim"] = BitsPerDim(nll, dims);
                return metrics;
            },
            SaveCheckpoint = t =>
            {
                var card = folder.Card([provenance], seed, new Dictionary<string, double> { ["step"] = t.Step });
                folder.Save(t, model, null, card, auxiliary);
                folder.WriteLossCurve($"flow ({model.Config.Architecture.Name()}): negative log-likelihood");
            },
        };
        if (context.Resume)
            folder.Restore(null, trainer, auxiliary);
        var result = trainer.Run(context.Cancellation);
        trainer.Ema?.SwapIn();
        return result;
    }

    /// <summary>Standardization statistics from the training data and the data-dependent ActNorm initialisation.</summary>
    private static void Initialize(FlowModel model, Tensor train, long seed)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        bool images = model.Config.Image is not null;
        if (model.Network.Layers[0] is Standardize standardize)
            standardize.Fit(train);
        var first = train.narrow(0, 0, Math.Min(512, train.shape[0]));
        model.Network.train();
        model.Network.Forward(images ? LikelihoodUnits.Dequantize(first, Seeding.Derive(seed, "actnorm-init")) : first);
    }

    /// <summary>Mean NLL per example (nats; images: on [0, 1], dequantized with a fixed seed) of at most 2000 examples.</summary>
    private static double MeanNll(FlowModel model, Tensor x, long seed, string purpose)
    {
        using var scope = torch.NewDisposeScope();
        var subset = x.narrow(0, 0, Math.Min(EvalExamples, x.shape[0]));
        if (model.Config.Image is not null)
            subset = LikelihoodUnits.Dequantize(subset, Seeding.Derive(seed, "eval:" + purpose));
        double total = 0;
        for (long start = 0; start < subset.shape[0]; start += 500)
            total += model.ExampleNll(subset.narrow(0, start, Math.Min(500, subset.shape[0] - start))).sum().item<double>();
        model.Network.train();
        return total / subset.shape[0];
    }

    /// <summary>Bits per dimension on the 0..256 scale of a mean NLL in nats per image on [0, 1].</summary>
    private static double BitsPerDim(double nllPerImage, int dims) => LikelihoodUnits.BitsPerDimFromUnitScale(nllPerImage, 1, dims);

    /// <summary>samples.png: 2-D data against as many samples (at most 4000), or a grid of 64 sampled images.</summary>
    private static string? WritePreview(FlowModel model, Tensor values, string folder, long seed)
    {
        var png = Path.Combine(folder, "samples.png");
        if (model.Config.Image is not null)
        {
            using var grid = (TensorSamples)model.Sample(new SampleRequest { Count = 64, Seed = seed });
            SampleGrid.Write(png, grid.Values);
            return png;
        }
        if (model.Dimensions != 2)
            return null;
        using var samples = (TensorSamples)model.Sample(new SampleRequest { Count = (int)Math.Min(values.shape[0], 4000), Seed = seed });
        Plots.Scatter(png, $"flow ({model.Config.Architecture.Name()}): data vs samples", [("data", values), ("samples", samples.Values)]);
        return png;
    }
}
