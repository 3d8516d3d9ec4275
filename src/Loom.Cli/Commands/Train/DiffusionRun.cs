using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// One diffusion training run on the shared trainer: log.jsonl + loss.png, checkpoints (EMA weights as the model,
/// live weights and optimizer in the trainer state) every N steps and on Ctrl-C, exact resume, and a preview of samples.
/// </summary>
public sealed class DiffusionRun(DiffusionModel model, DiffusionData data, DiffusionTrainingOptions options, string outDir, bool resume, string device)
{
    /// <summary>Updates the trainer skipped because the loss or gradient was not finite (see docs/diffusion.md).</summary>
    public long SkippedSteps { get; private set; }

    public TrainResult Train()
    {
        Directory.CreateDirectory(outDir);
        long startStep = resume ? NetworkResume.SavedStep(outDir) : 0;
        var log = new MetricsLog(Path.Combine(outDir, Checkpoint.LogFile), startStep);
        using var progress = new ConsoleProgress("train diffusion", Console.Error);
        var parameters = model.Network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        var objective = new DiffusionObjective(model.Network, model.Schedule, model.Config.Prediction, data.Set, options, DeviceSelector.Parse(device));
        var phase = new TrainingPhase("denoise", objective, parameters, new OptimizerOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay });
        using var trainer = new Trainer([phase], new TrainerOptions
        {
            Steps = options.Steps, Schedule = options.LearningRateSchedule, WarmupSteps = Math.Min(options.Warmup, options.Steps),
            GradClip = options.GradClip, EmaDecay = options.EmaDecay, EmaWarmup = true, LogEvery = options.LogEvery,
            CheckpointEvery = options.CheckpointEvery, SkipNonFiniteGradients = true,
        })
        {
            Log = log, Progress = new TrainingProgressAdapter(progress), SaveCheckpoint = Save,
        };
        if (resume)
            NetworkResume.Restore(outDir, model.Network, trainer);
        model.Network.train();
        var result = trainer.Run(CliContext.Cancellation);
        SkippedSteps = trainer.SkippedSteps;
        trainer.Ema?.SwapIn();   // the model keeps the EMA weights from here on
        model.Network.eval();
        return result;
    }

    private void Save(Trainer t)
    {
        var state = t.CaptureState();
        var tensors = new Dictionary<string, Tensor>(state.Tensors);
        foreach (var (name, p) in model.Network.named_parameters()) tensors["model." + name] = p.detach().clone();
        t.Ema?.SwapIn();
        try
        {
            Checkpoint.Save(outDir, model, new ModelCard
            {
                Data = [data.Provenance], CommandLine = CliContext.CommandLine, Seed = options.Seed, Device = device,
                Metrics = new Dictionary<string, double> { ["step"] = t.Step },
                Notes = t.Ema is null ? null : $"weights are the exponential moving average (decay {t.Ema.Decay})",
            }, state with { Tensors = tensors });
        }
        finally
        {
            t.Ema?.SwapIn();
        }
        MetricsLog.WriteLossCurve(MetricsLog.ReadFile(Path.Combine(outDir, Checkpoint.LogFile)), Path.Combine(outDir, "loss.png"),
            $"diffusion: {Predictions.Name(model.Config.Prediction)}-prediction MSE");
    }

    /// <summary>Writes samples.png: an image grid (one row per class for a conditional model) or a 2-D scatter against the data.</summary>
    public static string WritePreview(DiffusionModel model, DiffusionData? data, string outDir, long seed, int count = 64)
    {
        var path = Path.Combine(outDir, "samples.png");
        int classes = model.Config.NumClasses, perClass = 8;
        if (classes > 0) count = classes * perClass;
        IReadOnlyList<int>? labels = classes > 0 ? Enumerable.Range(0, count).Select(i => i / perClass).ToArray() : null;
        using var scope = torch.NewDisposeScope();
        var samples = model.Generate(new DiffusionRequest
        {
            Count = count, Seed = seed, Sampler = model.Config.DefaultSampler, Labels = labels,
            Guidance = labels is null ? 1 : model.Config.DefaultGuidance,
        });
        if (model.Config.Images)
            SampleGrid.Write(path, samples, columns: classes > 0 ? perClass : null);
        else if (samples.shape[1] == 2)
        {
            var sets = new List<(string, Tensor)>();
            if (data is not null) sets.Add(("data", data.Set.Get(Enumerable.Range(0, (int)Math.Min(2000, data.Set.Count)).Select(i => (long)i).ToArray())[0]));
            sets.Add(("samples", samples));
            Plots.Scatter(path, "diffusion samples vs data", sets);
        }
        else return "";
        return path;
    }
}
