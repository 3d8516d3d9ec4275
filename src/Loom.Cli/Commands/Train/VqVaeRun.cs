using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models.Latent.Quantized;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>How a VQ-VAE run ended: the stage it was in when it stopped, and that stage's trainer result.</summary>
public sealed record VqVaeRunResult(string Stage, TrainResult Result);

/// <summary>
/// One VQ-VAE training run on the shared trainer, in two stages with one phase each: the autoencoder (phase
/// <c>autoencoder</c>), then the prior on the training set's codes (phase <c>prior</c>). Both append to log.jsonl (each
/// entry's <c>phase</c> names its stage; steps count from 1 in each stage) and redraw loss.png at every checkpoint.
/// Checkpoints every N steps of either stage and on Ctrl-C hold the whole model (weights and the codebook's EMA buffers)
/// and the running stage's trainer state, tagged with the stage under <see cref="StageKey"/>; <c>--resume</c> reloads the
/// model and continues that stage (stage 2 re-encodes the codes first, which is deterministic).
/// </summary>
public sealed class VqVaeRun(VqVaeModel model, TrainingData data, VqVaeTrainingOptions options, string outDir, bool resume, Device device)
{
    public const string AutoencoderStage = "autoencoder";
    public const string PriorStage = "prior";
    /// <summary>The trainer-state.json key naming the stage the saved trainer state belongs to.</summary>
    public const string StageKey = "vqvae_stage";

    /// <summary>Updates skipped because the loss or gradient was not finite (libtorch CPU convolution; docs/diffusion.md).</summary>
    public long SkippedSteps { get; private set; }

    private string LogPath => Path.Combine(outDir, Checkpoint.LogFile);

    public VqVaeRunResult Train()
    {
        Directory.CreateDirectory(outDir);
        string stage = AutoencoderStage;
        TrainerStateFiles? saved = null;
        if (resume)
        {
            if (!Checkpoint.HasTrainerState(outDir))
                throw new LoomUsageException($"--resume: {outDir} has no trainer state to resume from");
            saved = Checkpoint.ReadTrainerState(outDir);
            stage = saved.Json[StageKey]?.GetValue<string>() ?? "";
            if (stage is not (AutoencoderStage or PriorStage))
                throw new LoomDataException($"--resume: {outDir} holds no VQ-VAE trainer state (\"{StageKey}\" is not {AutoencoderStage} or {PriorStage})");
            using var content = SafeTensorsFile.Load(Path.Combine(outDir, Checkpoint.ModelFile));
            try { model.LoadState(content.Tensors, "--resume"); }
            catch (LoomDataException e) { throw new LoomDataException($"{e.Message}; {outDir} holds a different model — same options and data?"); }
        }
        TrimLog(stage, saved?.Json["step"]?.GetValue<long>() ?? 0);
        if (stage == AutoencoderStage)
        {
            var first = RunStage(AutoencoderStage, saved);
            if (first.Interrupted)
                return new VqVaeRunResult(AutoencoderStage, first);
            saved = null;
        }
        return new VqVaeRunResult(PriorStage, RunStage(PriorStage, saved));
    }

    private TrainResult RunStage(string stage, TrainerStateFiles? saved)
    {
        bool prior = stage == PriorStage;
        Tensor? codes = null;
        ITrainingObjective objective;
        if (prior)
        {
            Console.Error.WriteLine($"vqvae: encoding {data.Count:N0} training images into {model.Config.LatentSize}×{model.Config.LatentSize} code maps for the prior");
            codes = PriorCodes.Encode(model, data.Examples);
            objective = new PriorObjective(model.Prior, codes, model.Config.NumClasses > 0 ? data.Labels : null, options.BatchSize, options.Seed, device);
        }
        else objective = new AutoencoderObjective(model.Autoencoder, data.Examples, options.BatchSize, options.Seed, device);
        nn.Module network = prior ? model.Prior : model.Autoencoder;
        var phase = new TrainingPhase(stage, objective, network.parameters().ToList(),
            new OptimizerOptions { LearningRate = prior ? options.PriorLearningRate : options.LearningRate });
        using var progress = new ConsoleProgress($"train vqvae: {stage}", Console.Error);
        using var trainer = new Trainer([phase], new TrainerOptions
        {
            Steps = prior ? options.PriorSteps : options.Steps, GradClip = options.GradClip, LogEvery = options.LogEvery,
            CheckpointEvery = options.CheckpointEvery, SkipNonFiniteGradients = true,
        })
        {
            Log = new MetricsLog(LogPath, long.MaxValue), Progress = new TrainingProgressAdapter(progress), SaveCheckpoint = t => Save(t, stage),
        };
        if (saved is not null)
        {
            trainer.RestoreState(saved);
            foreach (var t in saved.Tensors.Values) t.Dispose();
        }
        network.train();
        try
        {
            return trainer.Run(CliContext.Cancellation);
        }
        finally
        {
            network.eval();
            SkippedSteps += trainer.SkippedSteps;
            codes?.Dispose();
        }
    }

    private void Save(Trainer trainer, string stage)
    {
        var state = trainer.CaptureState();
        state.Json[StageKey] = stage;
        Checkpoint.Save(outDir, model, new ModelCard
        {
            Data = [data.Provenance], CommandLine = CliContext.CommandLine, Seed = options.Seed, Device = device.ToString(),
            Metrics = new Dictionary<string, double> { ["step"] = trainer.Step },
            Notes = $"stage {stage}, step {trainer.Step}",
        }, state);
        foreach (var t in state.Tensors.Values) t.Dispose();
        MetricsLog.WriteLossCurve(MetricsLog.ReadFile(LogPath), Path.Combine(outDir, "loss.png"),
            "vqvae: autoencoder BCE + commitment, prior NLL (nats per code)");
    }

    /// <summary>
    /// A fresh run starts an empty log; a resumed one keeps the entries up to the saved step of the saved stage (and all
    /// of stage 1 when resuming stage 2), since each stage counts its steps from 1.
    /// </summary>
    private void TrimLog(string stage, long step)
    {
        if (!resume)
        {
            AtomicFile.WriteAllText(LogPath, "");
            return;
        }
        if (!File.Exists(LogPath))
            return;
        var kept = File.ReadAllLines(LogPath).Where(line => line.Length > 0).Where(line =>
        {
            var entry = JsonNode.Parse(line);
            var phase = entry?["phase"]?.GetValue<string>();
            long entryStep = entry?["step"]?.GetValue<long>() ?? long.MaxValue;
            return phase == stage ? entryStep <= step : stage == PriorStage && phase == AutoencoderStage;
        }).ToList();
        AtomicFile.WriteAllText(LogPath, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
    }

    /// <summary>reconstructions.png: <paramref name="count"/> training images above their reconstructions.</summary>
    public static string WriteReconstructions(VqVaeModel model, TrainingData data, string outDir, int count = 8)
    {
        var path = Path.Combine(outDir, "reconstructions.png");
        using var scope = torch.NewDisposeScope();
        var originals = data.Examples.narrow(0, 0, Math.Min(count, data.Count));
        SampleGrid.Write(path, torch.cat([originals, model.Reconstruct(originals)], 0), columns: (int)originals.shape[0]);
        return path;
    }

    /// <summary>samples.png: two-stage samples, one row per class for a conditional prior.</summary>
    public static string WriteSamples(VqVaeModel model, string outDir, long seed, int count = 64)
    {
        var path = Path.Combine(outDir, "samples.png");
        int classes = model.Config.NumClasses, perClass = 8;
        IReadOnlyList<int>? labels = classes > 0 ? Enumerable.Range(0, classes * perClass).Select(i => i / perClass).ToArray() : null;
        using var scope = torch.NewDisposeScope();
        var codes = model.SampleCodes(labels?.Count ?? count, seed, labels: labels);
        SampleGrid.Write(path, model.Decode(codes), columns: 8);
        return path;
    }
}
