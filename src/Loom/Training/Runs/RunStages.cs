using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;

namespace Loom.Training.Runs;

/// <summary>
/// A run trained in stages one after another (an autoencoder, then a prior over its codes), each on its own
/// <see cref="Trainer"/> whose steps count from 1 and whose log entries carry the stage as their <c>phase</c>.
/// Checkpoints tag trainer-state.json with the running stage under <see cref="StateKey"/> (<see cref="Tag"/>, passed to
/// <see cref="RunFolder.Save"/>); a resumed run continues that stage from its saved step, and the log keeps every earlier
/// stage's entries.
/// </summary>
public sealed class RunStages
{
    private readonly RunFolder folder;

    /// <param name="folder">The run's checkpoint folder.</param>
    /// <param name="stateKey">The trainer-state.json key naming the stage the saved trainer state belongs to.</param>
    /// <param name="stages">The stages in the order they run.</param>
    public RunStages(RunFolder folder, string stateKey, IReadOnlyList<string> stages)
    {
        if (stages.Count == 0)
            throw new ArgumentException("a staged run needs at least one stage", nameof(stages));
        this.folder = folder;
        StateKey = stateKey;
        Stages = stages;
    }

    public string StateKey { get; }

    public IReadOnlyList<string> Stages { get; }

    /// <summary>The trainer-state.json properties that mark a checkpoint as saved in <paramref name="stage"/>.</summary>
    public JsonObject Tag(string stage) => new() { [StateKey] = stage };

    /// <summary>
    /// Where the run continues: the first stage from step 0 for a new run; the stage and step the checkpoint was saved
    /// in when resuming (its trainer state then comes back through <see cref="RunFolder.Restore"/>).
    /// </summary>
    public (string Stage, long Step) Continue()
    {
        if (!folder.Resuming)
            return (Stages[0], 0);
        long step = folder.StartStep();
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder.Folder, Checkpoint.TrainerStateJsonFile)));
        var stage = json?[StateKey]?.GetValue<string>() ?? "";
        if (!Stages.Contains(stage))
            throw LoomDataException.ForOption("Resume",
                $"{folder.Folder} holds no trainer state of this run (\"{StateKey}\" is not {string.Join(" or ", Stages)})");
        return (stage, step);
    }

    /// <summary>
    /// The log for <paramref name="stage"/>, continuing after <paramref name="step"/> (0 when the stage starts now): it
    /// keeps every earlier stage's entries and this stage's up to that step, so a new run starts with an empty log and a
    /// resumed one reads as one uninterrupted run.
    /// </summary>
    public MetricsLog OpenLog(string stage, long step)
    {
        var path = Path.Combine(folder.Folder, Checkpoint.LogFile);
        int index = IndexOf(stage);
        if (File.Exists(path))
        {
            var kept = File.ReadAllLines(path).Where(line => line.Length > 0).Where(line =>
            {
                var entry = JsonNode.Parse(line);
                var phase = entry?["phase"]?.GetValue<string>();
                long entryStep = entry?["step"]?.GetValue<long>() ?? long.MaxValue;
                return phase == stage ? entryStep <= step : phase is not null && Stages.Contains(phase) && IndexOf(phase) < index;
            }).ToList();
            AtomicFile.WriteAllText(path, kept.Count == 0 ? "" : string.Join('\n', kept) + "\n");
        }
        return new MetricsLog(path, long.MaxValue);
    }

    private int IndexOf(string stage)
    {
        int index = Stages.ToList().IndexOf(stage);
        return index >= 0 ? index : throw new ArgumentException($"'{stage}' is not one of the run's stages", nameof(stage));
    }
}
