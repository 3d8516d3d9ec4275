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
/// The frame of a CTGAN or TVAE run: reads the table with its metadata, fits the <see cref="TableTransformer"/> (or, when
/// resuming, reads the fitted one back from the checkpoint), seeds torch, lets the family train on the shared
/// <see cref="Trainer"/> through a <see cref="NeuralTableFit"/> (which saves and restores the trainer state), and writes the
/// checkpoint, run.json, log.jsonl and metadata.json (the metadata the model used, for <c>loom eval</c>).
/// </summary>
public static class NeuralTableRun
{
    /// <summary>
    /// The recipe a run uses (<see cref="RecipeResume.WithSaved"/>); when resuming, first checks that the folder holds a
    /// checkpoint of <paramref name="kind"/> (a usage error naming Resume otherwise).
    /// </summary>
    public static T ResumedRecipe<T>(T recipe, TrainingContext context, string kind, IReadOnlySet<string> mayChange)
    {
        if (context.Resume)
        {
            string folder = context.OutputFolder;
            if (!File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)))
                throw LoomUsageException.ForOption("Resume", $"{folder} holds no {kind} run to resume; start it without Resume");
            string saved = Checkpoint.ReadConfig(folder).Kind;
            if (saved != kind)
                throw LoomUsageException.ForOption("Resume",
                    $"{folder} holds a '{saved}' run, not a '{kind}' one; resume it as {saved} or choose another folder");
        }
        return RecipeResume.WithSaved(recipe, context, mayChange);
    }

    /// <summary>Runs <paramref name="train"/> on the table <paramref name="data"/> names and saves what it returns.</summary>
    public static TrainingOutcome Run(string kind, JsonObject recipe, string data, string? metadata, long seed, TrainingContext context,
        Func<Table, TableTransformer, NeuralTableFit, (NeuralTableModel Model, TrainResult Result)> train)
    {
        var (table, path) = CopulaTrainingRun.ReadTable(data, metadata);
        if (table.Columns.All(c => c.Kind == ColumnKind.Id))
            throw LoomDataException.ForOption("Data", $"{path}: the table has no columns to model (only ids)");
        using var folder = new RunFolder(context);
        var clock = Stopwatch.StartNew();
        // A resumed run keeps the transformer it trained with (the mixture fits are in the checkpoint).
        var transformer = context.Resume
            ? NeuralTableModel.ReadBase(Checkpoint.ReadConfig(folder.Folder).Config, kind).Transformer
            : TableTransformer.Fit(table);
        double transformSeconds = clock.Elapsed.TotalSeconds;
        folder.SaveRecipe(recipe);
        var metadataPath = Path.Combine(folder.Folder, CopulaTrainingRun.MetadataFile);
        table.Metadata.Save(metadataPath);
        torch.random.manual_seed(seed);
        var fit = new NeuralTableFit(folder, context, [DataProvenance.OfFile(path)], seed);
        // Small MLPs: a second OpenMP thread costs more than it brings (see SingleThreadScope).
        (NeuralTableModel model, TrainResult result) outcome;
        using (SingleThreadScope.Enter()) outcome = train(table, transformer, fit);
        var (model, result) = outcome;
        var metrics = new Dictionary<string, double>
        {
            ["rows"] = table.RowCount, ["columns"] = table.Columns.Count, ["width"] = transformer.Width, ["steps"] = result.Steps,
            ["transformer_seconds"] = transformSeconds, ["train_seconds"] = clock.Elapsed.TotalSeconds, ["loss"] = result.LastLoss,
        };
        Checkpoint.Save(folder.Folder, model, folder.Card([DataProvenance.OfFile(path)], seed, metrics,
            RunFolder.InterruptedNote(result.Interrupted, result.Steps)));
        return new TrainingOutcome(model, metrics, result.Interrupted, [metadataPath]);
    }

    /// <summary>A batch size no larger than the rows (rounded down to a multiple of <paramref name="multiple"/>).</summary>
    public static int Batch(int requested, int rows, int multiple = 1) =>
        Math.Max(multiple, Math.Min(requested, rows) / multiple * multiple);
}
