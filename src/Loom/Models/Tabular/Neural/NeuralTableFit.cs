using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// Runs a CTGAN or TVAE model's phases on the shared <see cref="Trainer"/> in a <see cref="RunFolder"/> so that the run can
/// resume exactly: every <c>checkpoint_every</c> steps, at the end and when cancelled it saves the model with the trainer
/// state — the optimizers' moments and step counts, the step, and the parameters and buffers of every network (the
/// generator with its BatchNorm statistics and the critic, or the VAE) under their prefixes; a resumed run restores them.
/// The phases must draw their randomness from (seed, step) so that the steps after a resume repeat a straight run's.
/// </summary>
public sealed class NeuralTableFit(RunFolder folder, TrainingContext context, IReadOnlyList<DataProvenance> data, long seed)
{
    /// <summary>The run's seed.</summary>
    public long Seed { get; } = seed;

    /// <summary>
    /// Trains <paramref name="networks"/> (module and checkpoint prefix) through <paramref name="phases"/> to
    /// <paramref name="steps"/> steps, continuing the saved run when resuming; the networks are left in eval mode.
    /// </summary>
    public TrainResult Run(NeuralTableModel model, IReadOnlyList<TrainingPhase> phases, long steps, long checkpointEvery,
        IReadOnlyList<(nn.Module Module, string Prefix)> networks)
    {
        long startStep = folder.StartStep();
        void Save(Trainer trainer)
        {
            var card = folder.Card(data, Seed, new Dictionary<string, double> { ["step"] = trainer.Step });
            folder.Save(trainer, model, null, card, networks);
        }
        using var trainer = new Trainer(phases, new TrainerOptions
        {
            Steps = steps, LogEvery = Math.Clamp(steps / 100, 1, 50), CheckpointEvery = checkpointEvery,
        })
        {
            Log = folder.OpenLog(startStep), Progress = context.Progress, SaveCheckpoint = Save,
        };
        if (folder.Resuming)
            folder.Restore(null, trainer, networks);
        foreach (var (module, _) in networks) module.train();
        var result = trainer.Run(context.Cancellation);
        foreach (var (module, _) in networks) module.eval();
        return result;
    }
}
