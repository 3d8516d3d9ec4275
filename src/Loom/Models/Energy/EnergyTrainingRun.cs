using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Energy;

/// <summary>
/// Trains an <see cref="EnergyModel"/> from an <see cref="EnergyRecipe"/> through the shared <see cref="Trainer"/> on the
/// CPU. Each step draws a batch of data x⁺ and as many chains from the <see cref="ReplayBuffer"/> (a fraction restarted
/// from uniform noise), runs K SGLD steps on them (network in eval mode, clamped to the data range) to get x⁻, stores them
/// back, and minimises the contrastive divergence E(x⁺) − E(x⁻) plus α(E(x⁺)² + E(x⁻)²), averaged over the batch, with
/// Adam (β₁ = 0) and gradient clipping. The randomness of step s comes from a generator derived from the seed and s, and
/// the buffer is saved in the trainer state, so a resumed run continues exactly. Writes log.jsonl, loss.png, the
/// checkpoint, run.json and samples.png (2-D data: data vs samples; images: a grid of 64). A joint (JEM) run also learns
/// the labels and puts its accuracy on the card: on up to 1000 training examples and on fashion-mnist's test split.
/// </summary>
public static class EnergyTrainingRun
{
    private const int GapExamples = 1000;

    public static TrainingOutcome Train(EnergyRecipe recipe, TrainingContext context)
    {
        context = context with { Device = CPU };
        var resolved = RecipeResume.WithSaved(recipe, context, EnergyRecipe.MayChangeOnResume).Resolve();
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        using var data = TrainingData.Load(resolved.Data!, new DataLoadOptions
        {
            Points = resolved.Points!.Value, Seed = seed, Limit = resolved.TrainLimit!.Value, AllowPngFolder = true,
        });
        var image = ImageShape.Of(data.SampleShape, data.Images);
        int dims = (int)data.SampleShape.Aggregate(1L, (a, b) => a * b);
        var (low, high) = image is null ? PaddedRange(data.Range!.Value) : (0.0, 1.0);
        if (resolved.Joint == true && (data.Labels is null || data.ClassNames.Count < 2))
            throw LoomDataException.ForOption("Joint",
                $"a joint energy model needs labelled data (fashion-mnist); {resolved.Data} has no labels");
        var config = resolved.ToConfig(dims, image, low, high, data.ClassNames);
        config.Validate();
        using var train = data.Examples.to(ScalarType.Float32);
        using var folder = new RunFolder(context);
        folder.SaveRecipe(RecipeJson.ToJson(resolved));
        var model = new EnergyModel(config);
        try
        {
            using var buffer = new ReplayBuffer(resolved.BufferSize!.Value, config.SampleShape, low, high,
                Seeding.Generator(seed, "ebm-buffer"));
            var result = Fit(model, buffer, train, data.Labels, resolved, folder, data.Provenance, context);
            var metrics = new Dictionary<string, double> { ["steps"] = result.Steps, ["parameters"] = model.ParameterCount };
            foreach (var (k, v) in EnergyGap(model, train, seed)) metrics[k] = v;
            if (model.NumClasses > 0)
                foreach (var (k, v) in ClassAccuracy(model, train, data.Labels!, resolved.Data!)) metrics[k] = v;
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes));
            var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
            if (WritePreview(model, train, folder.Folder, seed) is { } preview)
                files.Add(preview);
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The data range widened by a tenth of its span on each side (where sampling starts and clamps).</summary>
    public static (double Low, double High) PaddedRange((double Low, double High) range)
    {
        double span = Math.Max(range.High - range.Low, 1e-3);
        return (range.Low - 0.1 * span, range.High + 0.1 * span);
    }

    private static TrainResult Fit(EnergyModel model, ReplayBuffer buffer, Tensor train, Tensor? labels, EnergyRecipe recipe,
        RunFolder folder, DataProvenance provenance, TrainingContext context)
    {
        long steps = recipe.Steps!.Value, seed = recipe.Seed!.Value;
        var objective = new ContrastiveDivergenceObjective(model, buffer, train, recipe, labels);
        var options = new TrainerOptions
        {
            Steps = steps, GradClip = recipe.GradClip!.Value, LogEvery = Math.Clamp(steps / 200, 1, 50),
            CheckpointEvery = recipe.CheckpointEvery!.Value,
        };
        long startStep = folder.StartStep();
        var phase = new TrainingPhase("cd", objective, model.Network.parameters().ToList(),
            new OptimizerOptions { LearningRate = recipe.LearningRate!.Value, Beta1 = 0, Beta2 = 0.999 });
        var auxiliary = new List<(nn.Module Module, string Prefix)> { (model.Network, "model."), (buffer, "replay.") };
        using var trainer = new Trainer([phase], options)
        {
            Log = folder.OpenLog(startStep),
            Progress = context.Progress,
            SaveCheckpoint = t =>
            {
                var card = folder.Card([provenance], seed, new Dictionary<string, double> { ["step"] = t.Step });
                folder.Save(t, model, null, card, auxiliary);
                folder.WriteLossCurve("ebm: contrastive divergence E(data) − E(SGLD) + α·E²");
            },
        };
        if (context.Resume)
            folder.Restore(null, trainer, auxiliary);
        return trainer.Run(context.Cancellation);
    }

    /// <summary>
    /// Mean energies of up to 1000 training examples and as many uniform-noise points on the data range, and their gap
    /// E(noise) − E(data) (positive when the model has learnt to prefer the data).
    /// </summary>
    public static IReadOnlyDictionary<string, double> EnergyGap(EnergyModel model, Tensor train, long seed)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        bool wasTraining = model.Network.training;
        model.Network.eval();
        var real = train.narrow(0, 0, Math.Min(GapExamples, train.shape[0]));
        var g = Seeding.Generator(seed, "ebm-energy-gap");
        var noise = torch.rand(real.shape, ScalarType.Float32, generator: g) * (model.Config.High - model.Config.Low) + model.Config.Low;
        double data = model.Energy(real).mean().ToDouble(), uniform = model.Energy(noise).mean().ToDouble();
        model.Network.train(wasTraining);
        return new Dictionary<string, double> { ["energy_data"] = data, ["energy_noise"] = uniform, ["energy_gap"] = uniform - data };
    }

    /// <summary>
    /// A joint model's <c>train_accuracy</c> on up to 1000 training examples and, for fashion-mnist, <c>test_accuracy</c>
    /// on its test split (10,000 images).
    /// </summary>
    public static IReadOnlyDictionary<string, double> ClassAccuracy(EnergyModel model, Tensor train, Tensor labels, string data)
    {
        using var scope = torch.NewDisposeScope();
        long n = Math.Min(GapExamples, train.shape[0]);
        var metrics = new Dictionary<string, double> { ["train_accuracy"] = model.Accuracy(train.narrow(0, 0, n), labels.narrow(0, 0, n)) };
        if (TrainingData.IsFashionMnist(data))
        {
            using var test = TrainingData.Load(data, new DataLoadOptions { Split = FashionMnistSplit.Test });
            metrics["test_accuracy"] = model.Accuracy(test.Examples.to(ScalarType.Float32), test.Labels!);
        }
        return metrics;
    }

    /// <summary>
    /// samples.png: 2-D data against as many SGLD samples (at most 2000), or a grid of 64 sampled images (of a joint
    /// model: a row of 8 per class for its first 8 classes).
    /// </summary>
    private static string? WritePreview(EnergyModel model, Tensor train, string folder, long seed)
    {
        var png = Path.Combine(folder, "samples.png");
        if (model.Config.Image is not null && model.NumClasses > 0)
        {
            // A joint model: a row of 8 samples for each of its first 8 classes.
            var rows = Enumerable.Range(0, Math.Min(8, model.NumClasses))
                .Select(c => (TensorSamples)model.Sample(new SampleRequest { Count = 8, Class = c, Seed = seed + c })).ToList();
            using var scope = torch.NewDisposeScope();
            SampleGrid.Write(png, torch.cat(rows.Select(r => r.Values).ToList(), 0));
            rows.ForEach(r => r.Dispose());
            return png;
        }
        if (model.Config.Image is not null)
        {
            using var grid = (TensorSamples)model.Sample(new SampleRequest { Count = 64, Seed = seed });
            SampleGrid.Write(png, grid.Values);
            return png;
        }
        if (model.Config.Dimensions != 2)
            return null;
        int n = (int)Math.Min(train.shape[0], 2000);
        using var samples = (TensorSamples)model.Sample(new SampleRequest { Count = n, Seed = seed });
        Plots.Scatter(png, "ebm: data vs SGLD samples", [("data", train.narrow(0, 0, n)), ("samples", samples.Values)]);
        return png;
    }
}
