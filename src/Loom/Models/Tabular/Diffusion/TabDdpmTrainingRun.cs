using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.Data.Tables;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Tabular.Diffusion;

/// <summary>
/// Trains a <see cref="TabDdpmModel"/> from a <see cref="TabDdpmRecipe"/> with the shared <see cref="Trainer"/>: per step a
/// batch of encoded rows (<see cref="TabDdpmEncoding"/>) and the loss of <see cref="TabDdpmProcess.Loss"/>, AdamW. The
/// timesteps, noise and class draws of step s come from a generator seeded by (seed, s), so a resumed run continues exactly.
/// Writes the checkpoint (resumable: trainer state every <c>checkpoint_every</c> steps and at the end), run.json, log.jsonl,
/// loss.png and metadata.json (the metadata the model used, for <c>loom eval</c>).
/// </summary>
public static class TabDdpmTrainingRun
{
    public static TrainingOutcome Train(TabDdpmRecipe recipe, TrainingContext context)
    {
        var r = RecipeResume.WithSaved(recipe, context, TabDdpmRecipe.MayChangeOnResume).Resolve();
        long seed = r.Seed!.Value;
        var (table, path) = CopulaTrainingRun.ReadTable(r.Data!, r.Metadata);
        if (table.Columns.All(c => c.Kind == ColumnKind.Id))
            throw LoomDataException.ForOption("Data", $"{path}: the table has no columns to model (only ids)");
        using var folder = new RunFolder(context);
        folder.SaveRecipe(RecipeJson.ToJson(r));
        Seeding.SeedEverything(seed);
        var clock = Stopwatch.StartNew();
        var encoding = TabDdpmEncoding.Fit(table);
        var device = context.Device;
        var denoiser = new TabDdpmDenoiser(new TabDdpmShape(encoding.Width, r.Embedding!.Value, r.Hidden!.Value, r.Layers!.Value));
        denoiser.to(device);
        var model = new TabDdpmModel(encoding, denoiser, r.Timesteps!.Value, table.RowCount);
        try
        {
            TrainResult result;
            // Small MLPs: a second OpenMP thread costs more than it brings (see SingleThreadScope).
            using (SingleThreadScope.Enter()) result = Fit(model, table, path, r, folder, context);
            var metrics = new Dictionary<string, double>
            {
                ["rows"] = table.RowCount, ["columns"] = table.Columns.Count, ["width"] = encoding.Width, ["steps"] = result.Steps,
                ["train_seconds"] = clock.Elapsed.TotalSeconds, ["loss"] = result.LastLoss,
            };
            var metadataPath = Path.Combine(folder.Folder, CopulaTrainingRun.MetadataFile);
            table.Metadata.Save(metadataPath);
            var card = folder.Card([DataProvenance.OfFile(path)], seed, metrics,
                RunFolder.InterruptedNote(result.Interrupted, result.Steps));
            Checkpoint.Save(folder.Folder, model, card);
            return new TrainingOutcome(model, metrics, result.Interrupted, [metadataPath, Path.Combine(folder.Folder, "loss.png")]);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static TrainResult Fit(TabDdpmModel model, Table table, string path, TabDdpmRecipe r, RunFolder folder,
        TrainingContext context)
    {
        long seed = r.Seed!.Value;
        var device = context.Device;
        var denoiser = model.Denoiser;
        using var rows = tensor(model.Encoding.Encode(table), [table.RowCount, model.Encoding.Width]).to(device);
        var sampler = new BatchSampler(table.RowCount, Math.Min(r.BatchSize!.Value, table.RowCount), seed);
        var objective = new DelegateObjective((step, micro) =>
        {
            torch.random.manual_seed(Seeding.Derive(seed, $"tabddpm-step:{step}"));
            var x0 = rows.index_select(0, sampler.IndexTensorForStep(step).to(device));
            var (loss, mse, kl) = model.Process.Loss(denoiser, x0);
            return new TrainingLoss(loss, x0.shape[0], new Dictionary<string, double> { ["mse"] = mse, ["kl"] = kl });
        });
        long steps = r.Steps!.Value;
        var phase = new TrainingPhase("tabddpm", objective, denoiser.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList(),
            new OptimizerOptions { LearningRate = r.LearningRate!.Value, WeightDecay = r.WeightDecay!.Value });
        long startStep = folder.StartStep();
        void Save(Trainer t)
        {
            var card = folder.Card([DataProvenance.OfFile(path)], seed, new Dictionary<string, double> { ["step"] = t.Step });
            folder.Save(t, model, denoiser, card);
            folder.WriteLossCurve("tabddpm: Gaussian MSE + multinomial KL");
        }
        using var trainer = new Trainer([phase], new TrainerOptions
        {
            Steps = steps, LogEvery = Math.Clamp(steps / 100, 1, 50), CheckpointEvery = r.CheckpointEvery!.Value,
        })
        {
            Log = folder.OpenLog(startStep), Progress = context.Progress, SaveCheckpoint = Save,
        };
        if (context.Resume)
            folder.Restore(denoiser, trainer);
        denoiser.train();
        var result = trainer.Run(context.Cancellation);
        denoiser.eval();
        return result;
    }
}
