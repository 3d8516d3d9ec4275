using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Mixture;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train gmm --method sgd</c>: a full-covariance mixture refined by minibatch AdamW on −log-likelihood through
/// the shared <see cref="Trainer"/> (k-means + one EM step as the start). Writes log.jsonl and loss.png, checkpoints
/// every <c>--checkpoint-every</c> steps and on Ctrl-C, and continues bit-for-bit with <c>--resume</c>.
/// </summary>
public sealed record GmmSgdSettings(long Steps, int BatchSize, double LearningRate, ScheduleKind Schedule, long Warmup, double? Ema, long CheckpointEvery, bool Resume);

public static class GmmSgdTraining
{
    public static (GaussianMixture Model, TrainResult Result) Run(Tensor train, Tensor? heldOut, GaussianMixtureOptions emOptions, GmmSgdSettings s,
        string outDir, Func<GaussianMixture, TrainerStateFiles, double, bool> save)
    {
        using var start = GaussianMixture.Fit(train, emOptions with { MaxIter = 1, Tol = 0 });
        var module = new MixtureDensityModule(start);
        var x = train.to(ScalarType.Float64);
        var sampler = new BatchSampler(x.shape[0], Math.Min(s.BatchSize, x.shape[0]), emOptions.Seed);
        var objective = new DelegateObjective((step, micro) =>
        {
            var batch = x.index_select(0, sampler.IndexTensorForStep(step));
            return new TrainingLoss(-module.LogProb(batch).mean(), batch.shape[0]);
        });
        var parameters = module.Named.Values.ToList();
        var options = new TrainerOptions
        {
            Steps = s.Steps,
            Schedule = s.Schedule,
            WarmupSteps = s.Warmup,
            MinLearningRate = s.LearningRate * 0.1,
            EmaDecay = s.Ema,
            EvalEvery = heldOut is null ? 0 : Math.Max(1, s.Steps / 20),
            LogEvery = Math.Clamp(s.Steps / 200, 1, 50),
            CheckpointEvery = s.CheckpointEvery,
        };
        var log = new MetricsLog(Path.Combine(outDir, Checkpoint.LogFile), s.Resume ? ReadResumeStep(outDir) : 0);
        using var progress = new ConsoleProgress("gmm sgd", Console.Error);
        GaussianMixture Snapshot(Trainer t)
        {
            t.Ema?.SwapIn();
            var info = new MixtureFitInfo(false, (int)t.Step, 0, 0, emOptions.RegCovar, (int)s.Steps, 1, "sgd", emOptions.Seed);
            var model = module.ToGaussianMixture(info);
            t.Ema?.SwapIn();
            return model;
        }
        var trainer = new Trainer([new TrainingPhase("nll", objective, parameters, new OptimizerOptions { LearningRate = s.LearningRate })], options)
        {
            Log = log,
            Progress = new TrainingProgressAdapter(progress),
            Evaluate = heldOut is null ? null : () =>
            {
                using var noGrad = torch.no_grad();
                return new Dictionary<string, double> { ["val_nll"] = -module.LogProb(heldOut).mean().item<double>() };
            },
            SaveCheckpoint = t =>
            {
                var state = t.CaptureState();
                var tensors = new Dictionary<string, Tensor>(state.Tensors);
                foreach (var (name, p) in module.Named) tensors["model." + name] = p.detach().clone();
                using var snapshot = Snapshot(t);
                save(snapshot, state with { Tensors = tensors }, t.Step);
                log.WriteLossCurve(Path.Combine(outDir, "loss.png"), "gmm (sgd): negative log-likelihood");
            },
        };
        using (trainer)
        {
            if (s.Resume)
                Restore(trainer, module, outDir);
            var result = trainer.Run(CliContext.Cancellation);
            return (Snapshot(trainer), result);
        }
    }

    private static long ReadResumeStep(string outDir)
    {
        if (!Checkpoint.HasTrainerState(outDir))
            throw new LoomUsageException($"--resume: {outDir} has no trainer state to resume from (it was not written by --method sgd)");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, Checkpoint.TrainerStateJsonFile)))!;
        return json["step"]!.GetValue<long>();
    }

    private static void Restore(Trainer trainer, MixtureDensityModule module, string outDir)
    {
        var state = Checkpoint.ReadTrainerState(outDir);
        using var noGrad = torch.no_grad();
        foreach (var (name, p) in module.Named)
        {
            if (!state.Tensors.TryGetValue("model." + name, out var saved) || !saved.shape.SequenceEqual(p.shape))
                throw new LoomDataException($"--resume: {outDir} holds a different model (tensor '{name}' missing or of another shape); same --components and data?");
            p.copy_(saved);
        }
        trainer.RestoreState(state);
    }
}

/// <summary>Shows trainer progress on the console bar.</summary>
public sealed class TrainingProgressAdapter(ConsoleProgress progress) : ITrainingProgress
{
    public void Report(long step, long totalSteps, double loss, double examplesPerSecond, TimeSpan eta) =>
        progress.Report(step, totalSteps, $"loss {loss:F4} {examplesPerSecond:F0} ex/s", eta);
}
