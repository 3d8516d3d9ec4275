using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.Data.Tables;
using Loom.IO.Checkpoints;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Tabular;

/// <summary>
/// Fits a <see cref="GaussianCopula"/> from a <see cref="CopulaRecipe"/>: reads the table with its metadata, fits,
/// and writes the checkpoint, run.json and metadata.json (the metadata the model used, for <c>loom eval</c>).
/// </summary>
public static class CopulaTrainingRun
{
    /// <summary>The metadata file a run writes beside the checkpoint.</summary>
    public const string MetadataFile = "metadata.json";

    public static TrainingOutcome Train(CopulaRecipe recipe, TrainingContext context)
    {
        context = context with { Device = CPU };
        if (context.Resume)
            throw LoomUsageException.ForOption("Resume", "a copula fit has no trainer state to resume; it starts over");
        var resolved = recipe.Resolve();
        var (table, path) = ReadTable(resolved.Data!, resolved.Metadata);
        using var folder = new RunFolder(context);
        var clock = Stopwatch.StartNew();
        var model = GaussianCopula.Fit(table, resolved.Marginals!.Trim().ToLowerInvariant(), resolved.Seed!.Value);
        var metrics = new Dictionary<string, double>
        {
            ["rows"] = table.RowCount,
            ["columns"] = table.Columns.Count,
            ["fit_seconds"] = clock.Elapsed.TotalSeconds,
        };
        folder.SaveRecipe(RecipeJson.ToJson(resolved));
        var metadataPath = Path.Combine(folder.Folder, MetadataFile);
        table.Metadata.Save(metadataPath);
        Checkpoint.Save(folder.Folder, model, folder.Card([DataProvenance.OfFile(path)], resolved.Seed!.Value, metrics));
        return new TrainingOutcome(model, metrics, false, [metadataPath]);
    }

    /// <summary>
    /// The table <paramref name="data"/> names (a CSV or a table data set) with <paramref name="metadata"/> laid over the
    /// detected types, or the sidecar <c>NAME.metadata.json</c> when none is given.
    /// </summary>
    public static (Table Table, string Path) ReadTable(string data, string? metadata)
    {
        var source = DataCatalog.Resolve(data);
        if (source.Kind != DatasetKind.Table)
            throw LoomDataException.ForOption("Data",
                $"'{source.Spec}' is {source.Kind.ToString().ToLowerInvariant()} data; a copula needs a CSV table");
        var path = source.Files.First(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || ParquetTable.IsParquet(f));
        return (Table.Read(path, metadata ?? SidecarMetadata(path)), path);
    }

    /// <summary><c>NAME.metadata.json</c> beside <c>NAME.csv</c> when it exists, else null.</summary>
    public static string? SidecarMetadata(string csvPath)
    {
        var sidecar = Path.ChangeExtension(csvPath, ".metadata.json");
        return File.Exists(sidecar) ? sidecar : null;
    }
}
