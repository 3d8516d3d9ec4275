using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Boltzmann;

/// <summary>
/// Trains an RBM from an <see cref="RbmRecipe"/> on the shared trainer (SGD with momentum on the contrastive-divergence
/// objective, <see cref="ContrastiveDivergence"/>): checkpoints, exact resume (PCD's persistent chains are saved with the
/// trainer state under <see cref="PersistentChains.StatePrefix"/>), log.jsonl and loss.png. Afterwards log Z (exact or
/// AIS), the mean log-likelihood of the training rows and of Fashion-MNIST's test images, the pseudo-likelihood, samples.png
/// for images and, on bars and stripes, the checks against the known distribution (<see cref="RbmBarsAndStripesCheck"/>).
/// </summary>
public static class RbmTrainingRun
{
    public static TrainingOutcome Train(RbmRecipe recipe, TrainingContext context)
    {
        context = context with { Device = CPU };
        var resolved = RecipeResume.WithSaved(recipe, context, RbmRecipe.MayChangeOnResume).Resolve();
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        using var data = RbmData.Load(resolved.Data!, new DataLoadOptions { Limit = resolved.TrainLimit!.Value, Seed = seed });
        var visible = resolved.VisibleType() ?? RbmData.Infer(data);
        var (rows, mean, std) = Prepare(data, visible, seed, resolved.Data!);
        using var ownedRows = rows;
        using var ownedMean = mean;
        using var ownedStd = std;
        using var baseBias = RbmBaseRate.VisibleBias(rows, visible);
        var network = new RestrictedBoltzmannMachine(rows.shape[1], resolved.Hidden!.Value, visible);
        if (visible == RbmVisible.Bernoulli) network.InitVisibleBias(baseBias);
        var config = new RbmConfig
        {
            VisibleUnits = (int)rows.shape[1], HiddenUnits = resolved.Hidden!.Value, Visible = visible, SampleShape = data.SampleShape,
            Images = data.Images, SampleSteps = resolved.SampleSteps!.Value, Ais = resolved.ToAisOptions(),
        };
        var model = new RbmModel(network, config, baseBias, mean, std);
        try
        {
            bool persistent = resolved.Persistent();
            string method = $"{(persistent ? "pcd" : "cd")}-{resolved.K}";
            context.Say($"rbm: {RbmVisibleNames.Name(visible)} visible {rows.shape[1]} × hidden {config.HiddenUnits}, {method}, "
                + $"{rows.shape[0]:N0} training rows, {resolved.Epochs} epochs of batch {resolved.BatchSize}");
            using var folder = new RunFolder(context);
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            var watch = Stopwatch.StartNew();
            TrainResult result;
            using (SmallSteps(rows.shape[1], config.HiddenUnits, resolved.BatchSize!.Value) ? (IDisposable)SingleThreadScope.Enter() : null)
                result = Optimize(model, rows, resolved, folder, data.Provenance, context);
            var metrics = new Dictionary<string, double>
            {
                ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds,
                ["seconds_per_epoch"] = watch.Elapsed.TotalSeconds / resolved.Epochs!.Value, ["final_loss"] = result.LastLoss,
            };
            var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
            if (!result.Interrupted)
            {
                Evaluate(model, rows, data, resolved, metrics, context);
                if (WritePreview(model, resolved, metrics, folder.Folder, context) is { } png)
                    files.Add(png);
            }
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes));
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a training step is so small (batch × visible × hidden ≤ 2²⁰ multiply-adds per product) that one thread runs it
    /// faster: bars-and-stripes' 30 × 16 × 32 steps took 50 ms on two OpenMP threads and 2.5 ms on one.
    /// </summary>
    private static bool SmallSteps(long visible, long hidden, long batch) => batch * visible * hidden <= 1L << 20;

    /// <summary>The visible rows for <paramref name="visible"/> units, and the standardization of Gaussian ones.</summary>
    private static (Tensor Rows, Tensor? Mean, Tensor? Std) Prepare(TrainingData data, RbmVisible visible, long seed, string source)
    {
        if (visible == RbmVisible.Bernoulli)
            return (RbmData.Binary(data.Examples, data.Images, seed, source), null, null);
        var flat = data.Examples.to(ScalarType.Float32).reshape(data.Count, -1);
        var (mean, std) = RbmData.Moments(flat);
        return ((flat - mean) / std, mean, std);
    }

    private static TrainResult Optimize(RbmModel model, Tensor rows, RbmRecipe recipe, RunFolder folder, DataProvenance provenance,
        TrainingContext context)
    {
        var network = model.Network;
        long seed = recipe.Seed!.Value;
        var dataset = new TensorDataset(rows);
        var batches = new BatchSampler(dataset.Count, Math.Min(recipe.BatchSize!.Value, dataset.Count), seed);
        using var chains = recipe.Persistent() ? new PersistentChains(StartChains(model, (int)batches.BatchSize)) : null;
        var objective = new ContrastiveDivergence(network, dataset, batches, recipe.K!.Value, recipe.WeightDecay!.Value, chains);
        IReadOnlyList<(nn.Module, string)> auxiliary = chains is null ? [] : [(chains, PersistentChains.StatePrefix)];
        var parameters = network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        var phase = new TrainingPhase(chains is null ? "cd" : "pcd", objective, parameters, new OptimizerOptions
        {
            Kind = OptimizerKind.Sgd, LearningRate = recipe.LearningRate!.Value, Momentum = recipe.Momentum!.Value,
        });
        using var trainer = new Trainer([phase], new TrainerOptions
        {
            Steps = recipe.Epochs!.Value * batches.BatchesPerEpoch, CheckpointEvery = recipe.CheckpointEvery!.Value,
            LogEvery = Math.Max(1, Math.Min(10, batches.BatchesPerEpoch)),
        })
        {
            Log = folder.OpenLog(folder.StartStep()),
            Progress = context.Progress,
            SaveCheckpoint = t =>
            {
                var card = folder.Card([provenance], seed, new Dictionary<string, double> { ["step"] = t.Step });
                folder.Save(t, model, network, card, auxiliary);
                folder.WriteLossCurve("rbm: F(data) − F(model) (contrastive divergence surrogate)");
            },
        };
        if (context.Resume)
            folder.Restore(network, trainer, auxiliary);
        return trainer.Run(context.Cancellation);
    }

    /// <summary>PCD's chains start at the base-rate model (drawn from the global generator, so seeded by the run).</summary>
    private static Tensor StartChains(RbmModel model, int count)
    {
        using var scope = torch.NewDisposeScope();
        var start = model.BaseVisibleBias.expand(count, -1);
        var v = model.Config.Visible == RbmVisible.Bernoulli ? torch.bernoulli(torch.sigmoid(start)) : start + torch.randn(start.shape);
        return v.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// samples.png for image data: on bars and stripes the binary states of the checking chains
    /// (<see cref="RbmBarsAndStripesCheck"/>, whose metrics it adds), 64 of them magnified 4×; otherwise 64 samples.
    /// </summary>
    private static string? WritePreview(RbmModel model, RbmRecipe recipe, Dictionary<string, double> metrics, string folder,
        TrainingContext context)
    {
        if (!model.Config.Images)
            return null;
        var png = Path.Combine(folder, "samples.png");
        using var scope = torch.NewDisposeScope();
        if (BarsAndStripes.TryParse(recipe.Data!, out int size) && !File.Exists(recipe.Data!))
        {
            var samples = RbmBarsAndStripesCheck.Measure(model, size, recipe.Seed!.Value, metrics, context);
            var tiles = samples.narrow(0, 0, 64).reshape(64, 1, size, size).repeat_interleave(4, 2).repeat_interleave(4, 3);
            SampleGrid.Write(png, tiles, padValue: 0.5);
            return png;
        }
        using var grid = (TensorSamples)model.Sample(new SampleRequest { Count = 64, Seed = recipe.Seed!.Value });
        SampleGrid.Write(png, grid.Values);
        return png;
    }

    /// <summary>log Z, the training rows' and (Fashion-MNIST) the test images' mean log-likelihood, and the pseudo-likelihood.</summary>
    private static void Evaluate(RbmModel model, Tensor rows, TrainingData data, RbmRecipe recipe, Dictionary<string, double> metrics,
        TrainingContext context)
    {
        var watch = Stopwatch.StartNew();
        var z = model.LogPartition(context.Cancellation);
        metrics["log_z"] = z.LogZ;
        metrics["log_z_stderr"] = z.StandardError;
        context.Say($"rbm: log Z = {z.LogZ:F3} ± {z.StandardError:F3} ({z.Method}, {watch.Elapsed.TotalSeconds:F1} s)");
        int n = (int)Math.Min(rows.shape[0], recipe.EvalN!.Value);
        using var trainRows = rows.narrow(0, 0, n);
        using (var nll = model.VisibleNll(trainRows, context.Cancellation))
            metrics["train_mean_log_likelihood"] = -nll.mean().ToDouble();
        if (model.Config.Visible == RbmVisible.Bernoulli)
            using (var pl = PseudoLikelihood.Score(model.Network.Parameters, trainRows, recipe.Seed!.Value))
                metrics["train_pseudo_log_likelihood"] = pl.mean().ToDouble();
        if (!TrainingData.IsFashionMnist(recipe.Data!))
            return;
        using var test = RbmData.Load(recipe.Data!, new DataLoadOptions { Split = FashionMnistSplit.Test, Limit = n });
        using var testRows = model.Visible(test.Examples, 0, "fashion-mnist test");
        using (var nll = model.VisibleNll(testRows, context.Cancellation))
            metrics["test_mean_log_likelihood"] = -nll.mean().ToDouble();
        using (var pl = PseudoLikelihood.Score(model.Network.Parameters, testRows, recipe.Seed!.Value))
            metrics["test_pseudo_log_likelihood"] = pl.mean().ToDouble();
    }
}
