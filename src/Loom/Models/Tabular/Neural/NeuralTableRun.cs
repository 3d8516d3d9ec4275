using System.Diagnostics;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data.Tables;
using Loom.IO.Checkpoints;
using Loom.Training;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Models.Tabular.Neural;

/// <summary>
/// The frame of a CTGAN or TVAE run: reads the table with its metadata, fits the <see cref="TableTransformer"/>, seeds
/// torch, lets the family train on the shared <see cref="Trainer"/>, and writes the checkpoint, run.json, log.jsonl and
/// metadata.json (the metadata the model used, for <c>loom eval</c>). A run trains in one go: there is no resume.
/// </summary>
public static class NeuralTableRun
{
    /// <summary>Runs <paramref name="train"/> on the table <paramref name="data"/> names and saves what it returns.</summary>
    public static TrainingOutcome Run(string kind, JsonObject recipe, string data, string? metadata, long seed, TrainingContext context,
        Func<Table, TableTransformer, RunFolder, (NeuralTableModel Model, TrainResult Result)> train)
    {
        if (context.Resume)
            throw LoomUsageException.ForOption("Resume", $"a {kind} run trains in one go and keeps no trainer state; start it again");
        var (table, path) = CopulaTrainingRun.ReadTable(data, metadata);
        if (table.Columns.All(c => c.Kind == ColumnKind.Id))
            throw LoomDataException.ForOption("Data", $"{path}: the table has no columns to model (only ids)");
        using var folder = new RunFolder(context);
        torch.random.manual_seed(seed);
        var clock = Stopwatch.StartNew();
        var transformer = TableTransformer.Fit(table);
        double transformSeconds = clock.Elapsed.TotalSeconds;
        // Small MLPs: a second OpenMP thread costs more than it brings (see SingleThreadScope).
        (NeuralTableModel model, TrainResult result) outcome;
        using (SingleThreadScope.Enter()) outcome = train(table, transformer, folder);
        var (model, result) = outcome;
        var metrics = new Dictionary<string, double>
        {
            ["rows"] = table.RowCount, ["columns"] = table.Columns.Count, ["width"] = transformer.Width, ["steps"] = result.Steps,
            ["transformer_seconds"] = transformSeconds, ["train_seconds"] = clock.Elapsed.TotalSeconds, ["loss"] = result.LastLoss,
        };
        folder.SaveRecipe(recipe);
        var metadataPath = Path.Combine(folder.Folder, CopulaTrainingRun.MetadataFile);
        table.Metadata.Save(metadataPath);
        Checkpoint.Save(folder.Folder, model, folder.Card([DataProvenance.OfFile(path)], seed, metrics,
            RunFolder.InterruptedNote(result.Interrupted, result.Steps)));
        return new TrainingOutcome(model, metrics, result.Interrupted, [metadataPath]);
    }

    /// <summary>A batch size no larger than the rows (rounded down to a multiple of <paramref name="multiple"/>).</summary>
    public static int Batch(int requested, int rows, int multiple = 1) =>
        Math.Max(multiple, Math.Min(requested, rows) / multiple * multiple);
}
