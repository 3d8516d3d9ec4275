using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using static TorchSharp.torch;

namespace Loom.Training.Runs;

/// <summary>
/// The checkpoint folder of a run on the shared <see cref="Trainer"/>, written the same way for every family: the
/// model (EMA weights when the trainer keeps an average) with its card, the trainer state holding the live weights
/// under <c>model.</c>, training-only networks under their own prefixes and the optimizer, <c>run.json</c> (the recipe
/// the run started from), <c>log.jsonl</c> and <c>loss.png</c>; and resuming from it. While a run holds it the folder
/// is locked (<c>.loom.lock</c>), so a second run on the same folder stops with one line instead of interleaving files;
/// a new run refuses a folder that already holds a checkpoint unless <see cref="TrainingContext.Overwrite"/>.
/// </summary>
public sealed class RunFolder : IDisposable
{
    /// <summary>The lock a run holds on its folder.</summary>
    public const string LockFile = ".loom.lock";

    /// <summary>Files of a run that a new run with <see cref="TrainingContext.Overwrite"/> removes first.</summary>
    private static readonly string[] RunFiles =
    [
        Checkpoint.ConfigFile, Checkpoint.ModelFile, Checkpoint.CardFile, Checkpoint.TrainerStateJsonFile,
        Checkpoint.TrainerStateTensorsFile, Checkpoint.LogFile, CheckpointManifest.FileName, RecipeFile, "loss.png", "samples.png",
        "reconstructions.png",
    ];

    private readonly FileStream folderLock;

    /// <summary>The recipe a run started from, so a resumed run continues the same recipe.</summary>
    public const string RecipeFile = "run.json";

    private readonly TrainingContext context;

    public RunFolder(TrainingContext context)
    {
        this.context = context;
        if (File.Exists(context.OutputFolder))
            throw LoomUsageException.ForOption(nameof(TrainingContext.OutputFolder),
                $"{context.OutputFolder} is a file; give a folder for the checkpoint");
        Directory.CreateDirectory(context.OutputFolder);
        folderLock = Lock(context.OutputFolder);
        try
        {
            ClaimFolder();
        }
        catch
        {
            folderLock.Dispose();
            throw;
        }
    }

    private static FileStream Lock(string folder)
    {
        var path = Path.Combine(folder, LockFile);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw LoomUsageException.ForOption(nameof(TrainingContext.OutputFolder),
                $"{folder}: another run is writing to this folder; wait for it or use another folder");
        }
    }

    /// <summary>A new run must not mix its files with another run's: refuse, or with Overwrite remove the old run first.</summary>
    private void ClaimFolder()
    {
        if (context.Resume || !File.Exists(Path.Combine(Folder, Checkpoint.ConfigFile)))
            return;
        if (!context.Overwrite)
        {
            string kind = "a";
            try { kind = $"a '{Checkpoint.ReadConfig(Folder).Kind}'"; } catch (LoomException) { }
            throw LoomUsageException.ForOption(nameof(TrainingContext.OutputFolder),
                $"{Folder} already holds {kind} checkpoint; continue it with Resume, replace it with Overwrite, "
                    + $"or choose another folder");
        }
        foreach (var name in RunFiles)
        {
            var path = Path.Combine(Folder, name);
            if (File.Exists(path))
                File.Delete(path);
        }
    }

    public void Dispose() => folderLock.Dispose();

    public string Folder => context.OutputFolder;

    /// <summary>Whether the run continues the one saved in <see cref="Folder"/>.</summary>
    public bool Resuming => context.Resume;

    /// <summary>The step to continue from: 0 for a new run, the saved step when resuming.</summary>
    public long StartStep()
    {
        if (!context.Resume)
            return 0;
        if (!Checkpoint.HasTrainerState(Folder))
            throw LoomUsageException.ForOption(nameof(TrainingContext.Resume), File.Exists(Path.Combine(Folder, Checkpoint.ConfigFile))
                ? $"{Folder} has no trainer state to resume from"
                : $"{Folder} has no checkpoint yet (the run stopped before its first save); start it again without Resume");
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, Checkpoint.TrainerStateJsonFile)))!;
        return json["step"]!.GetValue<long>();
    }

    /// <summary>The card's note for a run cancellation stopped early (null when it finished).</summary>
    public static string? InterruptedNote(bool interrupted, long step) =>
        interrupted ? $"interrupted (cancelled) at step {step}; resuming the run continues it" : null;

    /// <summary>The run's log, continuing after <paramref name="startStep"/>.</summary>
    public MetricsLog OpenLog(long startStep) => new(Path.Combine(Folder, Checkpoint.LogFile), startStep);

    /// <summary>
    /// The recipe saved by the run being resumed, or null (a new run, or a run saved before run.json existed), read
    /// without creating the folder: a run can check its recipe and data before it writes
    /// anything, so bad input leaves no folder behind.
    /// </summary>
    public static JsonObject? SavedRecipe(TrainingContext context)
    {
        var path = Path.Combine(context.OutputFolder, RecipeFile);
        return context.Resume && File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))?.AsObject() : null;
    }

    /// <summary>Writes run.json (through a temporary file and a rename).</summary>
    public void SaveRecipe(JsonObject recipe)
    {
        var path = Path.Combine(Folder, RecipeFile);
        var temp = path + ".tmp";
        File.WriteAllText(temp, recipe.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// Restores the network's live weights (<c>model.</c> keys; null: none), the parameters and buffers of
    /// <paramref name="auxiliary"/> networks (their prefixes) and the trainer's state.
    /// </summary>
    public void Restore(nn.Module? network, Trainer trainer, IReadOnlyList<(nn.Module Module, string Prefix)>? auxiliary = null)
    {
        var state = Checkpoint.ReadTrainerState(Folder);
        try
        {
            if (network is not null) ModuleParameters.CopyFrom(network, state.Tensors, "resume", "model.");
            foreach (var (module, prefix) in auxiliary ?? []) ModuleTensors.CopyFrom(module, state.Tensors, "resume", prefix);
        }
        catch (LoomDataException e)
        {
            throw new LoomDataException($"{e.Message}; {Folder} holds a different model — same options and data?");
        }
        trainer.RestoreState(state);
    }

    /// <summary>
    /// Saves a checkpoint of <paramref name="model"/> during or after training: the model file holds the EMA weights
    /// when the trainer keeps an average (swapped in only while saving), the trainer state the live ones — the
    /// parameters of <paramref name="network"/> under <c>model.</c> (null: none), copies of the parameters and buffers
    /// of <paramref name="auxiliary"/> networks under their prefixes, then <paramref name="extra"/> tensors as named; and
    /// <paramref name="tags"/> added to trainer-state.json (e.g. the running stage of a <see cref="RunStages"/> run).
    /// </summary>
    public void Save(Trainer trainer, IGenerativeModel model, nn.Module? network, ModelCard card,
        IReadOnlyList<(nn.Module Module, string Prefix)>? auxiliary = null, IReadOnlyDictionary<string, Tensor>? extra = null,
        JsonObject? tags = null) =>
        SaveWith(trainer, network, auxiliary, extra, tags, state => Checkpoint.Save(Folder, model, card, state));

    /// <summary>
    /// Saves a checkpoint of a model that holds copies of <paramref name="network"/>'s weights rather than the network
    /// itself (e.g. a Gaussian mixture fitted through a differentiable module): <paramref name="snapshot"/> builds it
    /// while the EMA weights are in, and the copy is disposed once written. The trainer state holds the live weights.
    /// </summary>
    public void SaveSnapshot(Trainer trainer, Func<IGenerativeModel> snapshot, nn.Module network, ModelCard card,
        IReadOnlyList<(nn.Module Module, string Prefix)>? auxiliary = null) =>
        SaveWith(trainer, network, auxiliary, null, null, state =>
        {
            using var model = snapshot();
            Checkpoint.Save(Folder, model, card, state);
        });

    private static void SaveWith(Trainer trainer, nn.Module? network, IReadOnlyList<(nn.Module Module, string Prefix)>? auxiliary,
        IReadOnlyDictionary<string, Tensor>? extra, JsonObject? tags, Action<TrainerStateFiles> write)
    {
        var state = trainer.CaptureState();
        foreach (var (name, value) in tags ?? []) state.Json[name] = value?.DeepClone();
        var tensors = new Dictionary<string, Tensor>(state.Tensors);
        foreach (var (name, p) in network?.named_parameters() ?? []) tensors["model." + name] = p.detach().clone();
        // Copies: an averaged network's live weights must be saved before the average is swapped in.
        foreach (var (module, prefix) in auxiliary ?? [])
            foreach (var (name, tensor) in ModuleTensors.Capture(module, prefix)) tensors[name] = tensor.detach().clone();
        foreach (var (name, tensor) in extra ?? new Dictionary<string, Tensor>()) tensors[name] = tensor;
        trainer.Ema?.SwapIn();
        try
        {
            write(state with { Tensors = tensors });
        }
        finally
        {
            trainer.Ema?.SwapIn();
        }
    }

    /// <summary>Draws loss.png from the log so far.</summary>
    public string WriteLossCurve(string title)
    {
        var png = Path.Combine(Folder, "loss.png");
        MetricsLog.WriteLossCurve(MetricsLog.ReadFile(Path.Combine(Folder, Checkpoint.LogFile)), png, title);
        return png;
    }

    /// <summary>A card for this run with its data, seed, device and origin.</summary>
    public ModelCard Card(IReadOnlyList<DataProvenance> data, long seed,
        IReadOnlyDictionary<string, double> metrics, string? notes = null) =>
        new()
        {
            Data = data, CommandLine = context.Origin, Seed = seed, Device = context.Device.ToString(), Metrics = metrics, Notes = notes,
        };
}
