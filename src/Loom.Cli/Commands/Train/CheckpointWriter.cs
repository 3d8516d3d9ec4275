using Loom.IO.Checkpoints;
using Loom.Models;

namespace Loom.Cli.Commands.Train;

/// <summary>Writes a trained model with its provenance card, and tells the user where it went.</summary>
public static class CheckpointWriter
{
    public static void Save(string outDir, IGenerativeModel model, IReadOnlyList<DataProvenance> data, long seed, string device,
        IReadOnlyDictionary<string, double> metrics, TextWriter output, string? notes = null)
    {
        var card = new ModelCard
        {
            Data = data,
            CommandLine = CliContext.CommandLine,
            Seed = seed,
            Device = device,
            Metrics = metrics,
            Notes = notes,
        };
        Checkpoint.Save(outDir, model, card);
        output.WriteLine($"saved {model.Kind} checkpoint to {outDir}");
        foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            output.WriteLine($"  {name,-24} {value:G6}");
    }
}
