using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Adversarial;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Models.Latent;

/// <summary>
/// Trains a VAE or CVAE from a <see cref="VaeRecipe"/> on the shared trainer: checkpoints every <c>checkpoint_every</c>
/// steps and when cancelled (the live weights under <c>model.</c> in the trainer state; a VAE-GAN's discriminator, a
/// training-only network, under <see cref="VaeAdversary.StatePrefix"/>), exact resume with the recipe saved in run.json,
/// log.jsonl and loss.png; afterwards the held-out ELBO and importance-sampled NLL (<see cref="VaeEvaluation"/>), the
/// fitted latent prior when asked for, samples.png and reconstructions.png (<see cref="VaePreviews"/>).
/// </summary>
public static class VaeTrainingRun
{
    public static TrainingOutcome Train(VaeRecipe recipe, TrainingContext context)
    {
        var resolved = RecipeResume.WithSaved(recipe, context, VaeRecipe.MayChangeOnResume).Resolve();
        long seed = resolved.Seed!.Value;
        string name = resolved.Name;
        Seeding.SeedEverything(seed);
        var subset = resolved.TrainClasses();
        using var data = TrainingData.Load(resolved.Data!,
            new DataLoadOptions { Classes = subset, Points = resolved.Points!.Value, Seed = seed, Limit = resolved.TrainLimit!.Value });
        if (resolved.Conditional == true && data.Labels is null)
            throw LoomUsageException.ForOption(nameof(VaeRecipe.Conditional),
                $"the data {resolved.Data} has no class labels (only fashion-mnist has)");
        var config = context.Resume && File.Exists(Path.Combine(context.OutputFolder, Checkpoint.ConfigFile))
            ? VaeConfig.FromJson(Checkpoint.ReadConfig(context.OutputFolder).Config)
            : resolved.ToConfig(data);
        config.Validate();
        var options = resolved.ToTrainingOptions();
        if (options.Adversarial > 0) VaeAdversary.Check(config);
        var priorOptions = resolved.ToLatentPriorOptions();
        var network = new VariationalAutoencoder(config);
        network.to(context.Device);
        var model = new VaeModel(network);
        try
        {
            long parameters = network.parameters().Sum(p => p.numel());
            context.Say($"{name}: {config.Network} encoder/decoder, {config.Likelihood.ToString().ToLowerInvariant()} likelihood, "
                + $"latent {config.LatentDim}, {parameters:N0} parameters, {data.Count:N0} training examples of "
                + $"[{string.Join(", ", data.SampleShape)}]"
                + (config.TrainSamples > 1 ? $", IWAE k={config.TrainSamples}" : config.Beta != 1 ? $", β={config.Beta}" : "")
                + $", device {context.Device}");
            using var folder = new RunFolder(context);
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            var watch = Stopwatch.StartNew();
            var (result, privacy) = Optimize(model, data, options, folder, context);
            var metrics = new Dictionary<string, double>
            {
                ["parameters"] = parameters, ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds,
                ["final_loss"] = result.LastLoss,
            };
            if (privacy?.Epsilon is { } epsilon) metrics["epsilon"] = epsilon;
            var files = new List<string> { Path.Combine(folder.Folder, "loss.png") };
            using var heldOut = result.Interrupted ? null : LoadHeldOut(resolved, data, subset);
            if (!result.Interrupted)
            {
                // Held out: the test split for images, fresh points (seed + 1) for a toy set; a CSV has no split, so its metrics
                // are on training rows.
                var evaluated = VaeEvaluation.Evaluate(model, heldOut ?? data, resolved.EvalN!.Value, resolved.EvalK!.Value, seed);
                foreach (var (key, value) in evaluated) metrics[heldOut is null ? key.Replace("test_", "train_") : key] = value;
                if (priorOptions is not null)
                    FitLatentPrior(model, data, priorOptions, metrics, name, context);
            }
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes) with { Privacy = privacy });
            if (!result.Interrupted)
                files.AddRange(VaePreviews.Write(model, data, heldOut, folder.Folder, seed));
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static (TrainResult Result, Privacy.PrivacyCard? Privacy) Optimize(VaeModel model, TrainingData data,
        VaeTrainingOptions options, RunFolder folder, TrainingContext context)
    {
        long startStep = folder.StartStep();
        var network = model.Network;
        // A Bernoulli VAE never uses the Gaussian log-scale; DP-SGD leaves it out, as it belongs to no layer it can hook.
        var parameters = network.named_parameters()
            .Where(p => options.Privacy is null || model.Config.Likelihood != VaeLikelihood.Bernoulli || p.name != "log_scale")
            .Select(p => p.parameter).ToList();
        var dataset = data.ToDataset(model.NumClasses > 0);
        var phases = new List<TrainingPhase>();
        GanDiscriminator? discriminator = null;
        if (options.Adversarial > 0)
        {
            discriminator = VaeAdversary.Create(model.Config);
            discriminator.to(context.Device);
            discriminator.train();
            var judge = new VaeDiscriminatorObjective(network, discriminator, dataset, options, context.Device);
            var judged = discriminator.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
            phases.Add(new TrainingPhase("discriminator", judge, judged,
                new OptimizerOptions { LearningRate = options.AdversaryLearningRate, Beta1 = 0, Beta2 = 0.9 }));
        }
        IReadOnlyList<(torch.nn.Module, string)> auxiliary = discriminator is null ? [] : [(discriminator, VaeAdversary.StatePrefix)];
        var objective = new VaeObjective(network, dataset, options, context.Device, discriminator);
        phases.Add(new TrainingPhase(model.Config.TrainSamples > 1 ? "iwae" : "elbo", objective, parameters,
            new OptimizerOptions { LearningRate = options.LearningRate }, Model: network));
        double sampleRate = VaeObjective.SampleRate(options, dataset.Count);
        var privacy = options.Privacy is { } dp ? new PrivateTraining(dp, sampleRate, sampleRate * dataset.Count) : null;
        string lossTitle = model.Config.TrainSamples > 1
            ? $"vae: −IWAE bound (k={model.Config.TrainSamples}), nats"
            : "vae: −ELBO, nats";
        using var trainer = new Trainer(phases, new TrainerOptions
        {
            Steps = options.Steps, WarmupSteps = Math.Min(options.Warmup, options.Steps), GradClip = privacy is null ? options.GradClip : 0,
            LogEvery = options.LogEvery, CheckpointEvery = options.CheckpointEvery, Privacy = privacy,
        })
        {
            Log = folder.OpenLog(startStep),
            Progress = context.Progress,
            SaveCheckpoint = t =>
            {
                var card = folder.Card([data.Provenance], options.Seed, new Dictionary<string, double> { ["step"] = t.Step })
                    with
                { Privacy = t.PrivacySpent };
                folder.Save(t, model, network, card, auxiliary);
                folder.WriteLossCurve(lossTitle);
            },
        };
        if (context.Resume)
            folder.Restore(network, trainer, auxiliary);
        if (trainer.NoiseMultiplier is { } sigma)
            context.Say($"DP-SGD: noise multiplier {sigma:G4}, clip {options.Privacy!.MaxGradNorm:G4}, sample rate {sampleRate:G4}, "
                + $"δ {options.Privacy.Delta:G3}");
        network.train();
        try
        {
            var result = trainer.Run(context.Cancellation);
            return (result, trainer.PrivacySpent);
        }
        finally
        {
            network.eval();
            discriminator?.Dispose();
        }
    }

    /// <summary>The held-out set: the test split for images, fresh points (seed + 1) for a toy set, none for a CSV.</summary>
    private static TrainingData? LoadHeldOut(VaeRecipe recipe, TrainingData data, int[] subset)
    {
        var spec = recipe.Data!;
        if (data.Images)
            return TrainingData.Load(spec, new DataLoadOptions { Split = FashionMnistSplit.Test, Classes = subset });
        return ToyData.IsToy(spec) && !File.Exists(spec)
            ? TrainingData.Load(spec, new DataLoadOptions { Points = 5000, Seed = recipe.Seed!.Value + 1 })
            : null;
    }

    /// <summary>Fits the sampling prior to the training set's posterior means (per class for a CVAE).</summary>
    private static void FitLatentPrior(VaeModel model, TrainingData data, LatentPriorOptions options, Dictionary<string, double> metrics,
        string name, TrainingContext context)
    {
        var watch = Stopwatch.StartNew();
        model.FitLatentPrior(data.Examples, data.Labels, options);
        metrics["latent_prior_fit_seconds"] = watch.Elapsed.TotalSeconds;
        context.Say($"{name}: fitted a {options.Components}-component latent mixture"
            + (model.NumClasses > 0 ? $" per class ({model.NumClasses})" : "")
            + $" to the training set's posterior means in {watch.Elapsed.TotalSeconds:F1} s");
    }
}
