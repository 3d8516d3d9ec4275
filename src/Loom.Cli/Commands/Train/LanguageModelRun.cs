using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// One language-model training run on the shared trainer: log.jsonl + loss.png, checkpoints every N steps and on
/// Ctrl-C (model, tokenizer and trainer state together), exact resume, and the final metrics for the card.
/// </summary>
public sealed class LanguageModelRun(NeuralLanguageModel model, LanguageModelData data, LanguageModelTrainingOptions options, string outDir,
    bool resume, DataProvenance provenance, string device)
{
    public TrainResult Train()
    {
        Directory.CreateDirectory(outDir);
        long startStep = resume ? NetworkResume.SavedStep(outDir) : 0;
        var log = new MetricsLog(Path.Combine(outDir, Checkpoint.LogFile), startStep);
        using var progress = new ConsoleProgress($"train {model.Kind}", Console.Error);
        using var trainer = CreateTrainer(log, new TrainingProgressAdapter(progress));
        if (resume)
            NetworkResume.Restore(outDir, model.Network, trainer);
        return trainer.Run(CliContext.Cancellation);
    }

    private Trainer CreateTrainer(MetricsLog log, ITrainingProgress progress) =>
        LanguageModelTraining.CreateTrainer(model.Network, data, options, log, progress, Save);

    private void Save(Trainer t)
    {
        var state = t.CaptureState();
        var tensors = new Dictionary<string, Tensor>(state.Tensors);
        foreach (var (name, p) in model.Network.named_parameters()) tensors["model." + name] = p.detach().clone();
        Checkpoint.Save(outDir, model, new ModelCard
        {
            Data = [provenance], CommandLine = CliContext.CommandLine, Seed = options.Seed, Device = device,
            Metrics = new Dictionary<string, double> { ["step"] = t.Step },
        }, state with { Tensors = tensors });
        model.Tokenizer.Save(outDir);
        MetricsLog.WriteLossCurve(MetricsLog.ReadFile(Path.Combine(outDir, Checkpoint.LogFile)), Path.Combine(outDir, "loss.png"), $"{model.Kind}: cross-entropy (nats per token)");
    }

    /// <summary>Exact validation loss over the whole held-out split, the last loss estimates, throughput.</summary>
    public Dictionary<string, double> FinalMetrics(double seconds, long parameters)
    {
        var (nats, tokens) = LanguageModelTraining.ExactLoss(model.Network, data, true, options.Context);
        var metrics = new Dictionary<string, double>
        {
            ["parameters"] = parameters,
            ["val_loss"] = nats / tokens,
            ["val_perplexity"] = Math.Exp(nats / tokens),
            ["val_bits_per_token"] = nats / tokens / Math.Log(2),
            ["val_tokens"] = tokens,
            ["train_seconds"] = seconds,
        };
        var last = MetricsLog.ReadFile(Path.Combine(outDir, Checkpoint.LogFile)).LastOrDefault(e => e["train_loss"] is not null);
        if (last?["train_loss"] is { } train) metrics["train_loss_estimate"] = train.GetValue<double>();
        return metrics;
    }
}
