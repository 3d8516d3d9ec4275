using System.Diagnostics;
using Loom.Audio;
using Loom.Data.Audio;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Models.WaveNet;

/// <summary>
/// Trains a <see cref="WaveNetModel"/> from a <see cref="WaveNetRecipe"/> by maximum likelihood through the shared
/// <see cref="Trainer"/>: the loss is the NLL in nats per sample of a batch of random windows of the training clips
/// (<see cref="WaveNetTrainingData"/>); the log also has bits per sample. Saves checkpoints with exact resume, log.jsonl
/// and loss.png; afterwards the test split's bits per sample (<see cref="WaveNetModel.Score"/>) goes on the card and
/// samples/ gets WAVs (one per digit in turn) with their spectrograms.
/// </summary>
public static class WaveNetTrainingRun
{
    public static TrainingOutcome Train(WaveNetRecipe recipe, TrainingContext context)
    {
        var resolved = RecipeResume.WithSaved(recipe, context, WaveNetRecipe.MayChangeOnResume, WaveNetRecipe.AbsentOnResumeMeans)
            .Resolve();
        long seed = resolved.Seed!.Value;
        Core.Seeding.SeedEverything(seed);
        var data = WaveNetTrainingData.Load(resolved.Data!);
        var config = resolved.ToConfig(SpokenDigits.Words, data.SampleRate, SpokenDigits.Name);
        config.Validate();
        var network = new WaveNetNetwork(config);
        network.to(context.Device);
        var model = new WaveNetModel(network);
        try
        {
            long parameters = network.parameters().Sum(p => p.numel());
            context.Say($"wavenet: {config.Stacks} stacks of {config.LayersPerStack} layers, {config.ResidualChannels} residual / "
                + $"{config.SkipChannels} skip channels, receptive field {config.ReceptiveField} samples, {parameters:N0} parameters, "
                + $"{data.Clips.Count} training clips at {data.SampleRate} Hz"
                + (config.NumClasses > 0 ? ", conditional on the digit" : "")
                + (config.HasTimeline ? $", timeline of {config.TimelineFeatures} position features" : "") + $", device {context.Device}");
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
            if (!result.Interrupted && resolved.EvalClips > 0)
                foreach (var (key, value) in Evaluate(model, data.Index, resolved.EvalClips!.Value, context.Cancellation))
                    metrics[key] = value;
            string? notes = RunFolder.InterruptedNote(result.Interrupted, result.Steps);
            Checkpoint.Save(folder.Folder, model, folder.Card([data.Provenance], seed, metrics, notes));
            if (!result.Interrupted && resolved.PreviewSamples > 0)
                files.AddRange(WritePreview(model, folder.Folder, resolved.PreviewSamples!.Value, resolved.PreviewLength!.Value, seed));
            return new TrainingOutcome(model, metrics, result.Interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary><c>test_clips</c>, <c>test_samples</c>, <c>test_nll</c> (nats per sample) and <c>test_bits_per_sample</c>.</summary>
    public static Dictionary<string, double> Evaluate(WaveNetModel model, string index, int clips, CancellationToken cancellation)
    {
        double total = 0;
        long samples = 0;
        var test = SpokenDigits.Load(index, SpokenDigits.TestSplit).Take(clips).ToList();
        foreach (var (row, clip) in test)
        {
            cancellation.ThrowIfCancellationRequested();
            total += model.ClipNll(MuLaw.Encode(clip.Samples), row.Digit);
            samples += clip.Samples.Length;
        }
        return new Dictionary<string, double>
        {
            ["test_clips"] = test.Count, ["test_samples"] = samples, ["test_nll"] = samples == 0 ? double.NaN : total / samples,
            ["test_bits_per_sample"] = samples == 0 ? double.NaN : total / samples / Math.Log(2),
        };
    }

    private static List<string> WritePreview(WaveNetModel model, string folder, int count, int length, long seed)
    {
        var samples = (AudioSamples)model.Sample(new SampleRequest { Count = count, Length = length, Seed = seed });
        var output = Path.Combine(folder, "samples");
        Directory.CreateDirectory(output);
        var files = new List<string>();
        for (int i = 0; i < samples.Clips.Count; i++)
        {
            var name = samples.Labels is { } labels ? $"{i}_{SpokenDigits.Words[labels[i] % 10]}" : $"{i}";
            var wav = Path.Combine(output, name + ".wav");
            WavFile.Write(wav, samples.Clips[i]);
            SpectrogramPng.Write(Path.ChangeExtension(wav, ".png"), samples.Clips[i]);
            files.Add(wav);
        }
        return files;
    }

    private static TrainResult Fit(WaveNetModel model, WaveNetTrainingData data, WaveNetRecipe recipe, RunFolder folder,
        TrainingContext context)
    {
        long steps = recipe.Steps!.Value, seed = recipe.Seed!.Value;
        var network = model.Network;
        var device = context.Device;
        bool conditional = model.NumClasses > 0;
        int batch = recipe.BatchSize!.Value, window = recipe.Window!.Value, reach = model.Config.ReceptiveField;
        var objective = new DelegateObjective((step, micro) =>
        {
            var (levels, digits, mask, positions) = data.Window(seed, step, batch, window, reach);
            var m = mask.to(device);
            var logp = model.LevelLogProbs(levels.to(device), conditional ? digits.to(device) : null,
                model.Config.HasTimeline ? positions.to(device) : null);
            var nll = -(logp * m).sum() / m.sum().clamp_min(1);
            return new TrainingLoss(nll, batch, new Dictionary<string, double> { ["bits_per_sample"] = nll.ToDouble() / Math.Log(2) });
        });
        var settings = new LikelihoodFitSettings(steps, recipe.ToSchedule(), recipe.Warmup!.Value, recipe.LearningRate!.Value,
            recipe.GradClip!.Value, recipe.CheckpointEvery!.Value);
        return LikelihoodFit.Run(network, model, objective, settings, folder, context, data.Provenance, seed,
            "wavenet: negative log-likelihood, nats per sample");
    }
}
